import type { PresenceEntry, PresenceStore, RemovedSession, SessionRecord, SessionStore } from '@rendezvous/signaling';
import type { RedisLiveStateScripts } from './redis-scripts.js';

export class RedisSessionStore implements SessionStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  registerSession(session: SessionRecord, resumeDigest: string): Promise<void> {
    return this.live.register(session, resumeDigest);
  }

  async renameSession(id: string, name: string): Promise<SessionRecord | null> {
    const reply = (await this.live.run('rename', [this.live.key('s:', id)], id, name)) as string[] | null;
    if (!reply) return null;
    const [replicaId, address, group] = reply as [string, string, string];
    return { id, name, replicaId, address, group };
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const fields = await this.live.redis.hmget(this.live.key('s:', id), 'name', 'replica', 'address', 'group');
    const [name, replicaId, address, group] = fields;
    if (name == null || replicaId == null || address == null || group == null) return null;
    return { id, name, replicaId, address, group };
  }

  removeSession(id: string, flightTtlMs: number, nowMs: number, owner?: string): Promise<RemovedSession | null> {
    return this.live.remove(id, flightTtlMs, nowMs, owner === undefined ? null : { owner });
  }

  async restoreSession(
    session: SessionRecord,
    resumeDigest: string,
    flight: { code: string; token: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<boolean> {
    const { live } = this;
    const { id, name, replicaId, address, group } = session;
    const keys = [live.key('s:', id), live.key('r:', replicaId), live.key('parked'), live.key('n:', group)];
    const ours = await live.run('restoreSession', keys, id, name, replicaId, address, group, resumeDigest);
    if (ours !== 1) return false;
    if (flight) {
      const keys = live.flightKeys(id, flight.code);
      await live.run('restore', keys, flight.code, flight.token, id, ttlMs, nowMs);
    }
    return true;
  }

  sessionsOf(replicaId: string): Promise<string[]> {
    return this.live.redis.smembers(this.live.key('r:', replicaId));
  }
}

export class RedisPresenceStore implements PresenceStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async listNetwork(group: string): Promise<PresenceEntry[]> {
    const entries = await this.live.redis.hgetall(this.live.key('n:', group));
    return Object.entries(entries).map(([id, value]) => ({ id, name: value.slice(1), busy: value[0] === '1' }));
  }

  async hideFromPresence(sessionId: string): Promise<void> {
    await this.live.run('hide', [this.live.key('s:', sessionId)], sessionId);
  }
}
