import type { OutboxResult, OutboxStore, ParkingStore, RemovedSession, ResumedSession } from '@rendezvous/signaling';
import type { LuaReply } from '../lua-scripts.js';
import { members } from './redis-replies.js';
import type { RedisLiveStateScripts } from './redis-scripts.js';

export class RedisParkingStore implements ParkingStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async parkSession(id: string, heldBy: string, resumeDigest: string | null, untilMs: number): Promise<boolean> {
    const keys = [this.live.key('s:', id), this.live.key('parked')];
    return (await this.live.run('park', keys, id, heldBy, resumeDigest ?? '', untilMs)) === 1;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    nextDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const keys = [this.live.key('s:', id), this.live.key('parked'), this.live.key('r:', replicaId)];
    const reply = (await this.live.run('resume', keys, id, resumeDigest, nextDigest, replicaId, nowMs)) as
      LuaReply[] | null;
    if (!reply) return null;
    const [name, address, group, takenFrom, code, token] = reply.map(String) as [
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
    const session = { id, name, replicaId, address, group };
    const from = takenFrom === '' ? null : takenFrom;
    if (code === undefined || token === undefined) return { session, flight: null, takenFrom: from };
    return { session, flight: { code, token, peer: members(reply, 6)[0] ?? null }, takenFrom: from };
  }

  expiredParkedSessions(nowMs: number): Promise<string[]> {
    return this.live.redis.zrangebyscore(this.live.key('parked'), '-inf', nowMs);
  }

  removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    return this.live.remove(id, flightTtlMs, nowMs, { parked: true });
  }
}

export class RedisOutboxStore implements OutboxStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async append(sessionId: string, message: Buffer, cap: number, ttlMs: number, force: boolean): Promise<OutboxResult> {
    const keys = [this.live.key('s:', sessionId), this.live.key('o:', sessionId)];
    return (await this.live.run('append', keys, cap, ttlMs, force ? '1' : '0', message as never)) as OutboxResult;
  }

  async take(sessionId: string): Promise<Buffer[]> {
    const keys = [this.live.key('s:', sessionId), this.live.key('o:', sessionId)];
    return (await this.live.runBuffer('take', keys)) as Buffer[];
  }
}
