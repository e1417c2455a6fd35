import type {
  ParkingStore,
  PresenceEntry,
  PresenceStore,
  RemovedSession,
  ResumedSession,
  SessionRecord,
  SessionStore,
} from '@rendezvous/signaling';
import type { LuaReply } from '../lua-scripts.js';
import { members } from './redis-replies.js';
import type { RedisLiveStateScripts } from './redis-scripts.js';

export class RedisSessionStore implements SessionStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  registerSession(session: SessionRecord): Promise<void> {
    return this.live.register(session);
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

  removeSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    return this.live.remove(id, flightTtlMs, nowMs, false);
  }

  async restoreSession(
    session: SessionRecord,
    flight: { code: string; token: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<void> {
    const { live } = this;
    const exists = await live.redis.exists(live.key('s:', session.id));
    if (!exists) await live.register(session);
    else await live.redis.sadd(live.key('r:', session.replicaId), session.id);
    if (flight) {
      const keys = live.flightKeys(session.id, flight.code);
      await live.run('restore', keys, flight.code, flight.token, session.id, ttlMs, nowMs);
    }
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

export class RedisParkingStore implements ParkingStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async parkSession(id: string, resumeDigest: string, untilMs: number): Promise<boolean> {
    const keys = [this.live.key('s:', id), this.live.key('parked')];
    return (await this.live.run('park', keys, id, resumeDigest, untilMs)) === 1;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const keys = [this.live.key('s:', id), this.live.key('parked'), this.live.key('r:', replicaId)];
    const reply = (await this.live.run('resume', keys, id, resumeDigest, replicaId, nowMs)) as LuaReply[] | null;
    if (!reply) return null;
    const [name, address, group, code, token] = reply.map(String) as [string, string, string, string?, string?];
    const session = { id, name, replicaId, address, group };
    if (code === undefined || token === undefined) return { session, flight: null };
    return { session, flight: { code, token, peer: members(reply, 5)[0] ?? null } };
  }

  expiredParkedSessions(nowMs: number): Promise<string[]> {
    return this.live.redis.zrangebyscore(this.live.key('parked'), '-inf', nowMs);
  }

  removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    return this.live.remove(id, flightTtlMs, nowMs, true);
  }
}
