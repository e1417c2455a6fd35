import type {
  CreateFlightResult,
  FlightRecord,
  FlightStore,
  JoinFlightResult,
  LeaveFlightResult,
  RoomChannelAttached,
  RoomChannelDetached,
  RoomChannelStore,
} from '@rendezvous/signaling';
import type { LuaReply } from '../lua-scripts.js';
import { members, parseLeave } from './redis-replies.js';
import type { RedisLiveStateScripts } from './redis-scripts.js';

export class RedisFlightStore implements FlightStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async createFlight(
    code: string,
    token: string,
    sessionId: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<CreateFlightResult> {
    const keys = this.live.flightKeys(sessionId, code);
    const status = (await this.live.run('create', keys, code, token, sessionId, ttlMs, nowMs)) as string;
    return { status: status as CreateFlightResult['status'] };
  }

  async joinFlight(code: string, sessionId: string): Promise<JoinFlightResult> {
    const reply = (await this.live.run('join', this.live.flightKeys(sessionId, code), code, sessionId)) as LuaReply[];
    const status = reply[0] as JoinFlightResult['status'];
    if (status !== 'joined') return { status } as JoinFlightResult;
    return { status, token: String(reply[1]), others: members(reply, 2) };
  }

  async leaveFlight(sessionId: string, ttlMs: number, nowMs: number): Promise<LeaveFlightResult | null> {
    const keys = [this.live.key('s:', sessionId), this.live.key('flights')];
    const reply = (await this.live.run('leave', keys, sessionId, ttlMs, nowMs)) as LuaReply[] | null;
    return reply ? parseLeave(reply) : null;
  }

  async getFlight(code: string): Promise<FlightRecord | null> {
    // The token is the hash's `room` field (its name since the first release, which running replicas share).
    const [token, list] = await this.live.redis.hmget(this.live.key('f:', code), 'room', 'members');
    if (!token || !list) return null;
    return { code, token, members: list.split(' ') };
  }
}

export class RedisRoomChannelStore implements RoomChannelStore {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async attachRoomChannel(
    key: string,
    role: 'host' | 'guest',
    sessionId: string,
    ttlMs: number,
    attachment: string,
  ): Promise<RoomChannelAttached> {
    const keys = [this.live.key('rc:', key), this.live.key('s:', sessionId)];
    const reply = (await this.live.run('attachRoom', keys, key, role, sessionId, ttlMs, attachment)) as LuaReply[];
    return { displaced: reply[0] ? String(reply[0]) : null, other: members(reply, 1)[0] ?? null };
  }

  async detachRoomChannel(key: string, role: 'host' | 'guest', sessionId: string): Promise<RoomChannelDetached> {
    const reply = (await this.live.run('detachRoom', [this.live.key('rc:', key)], key, role, sessionId)) as LuaReply[];
    return { displaced: reply[0] === 1, other: members(reply, 1)[0] ?? null };
  }

  attachmentOf(sessionId: string): Promise<string | null> {
    return this.live.redis.hget(this.live.key('s:', sessionId), 'attach');
  }
}
