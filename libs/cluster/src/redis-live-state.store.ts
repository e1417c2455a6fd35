import type {
  ClusterCounts,
  CreateFlightResult,
  FlightRecord,
  JoinFlightResult,
  LeaveFlightResult,
  LiveStateStore,
  PresenceEntry,
  RemovedSession,
  ResumedSession,
  RoomChannelAttached,
  RoomChannelDetached,
  SessionRecord,
} from '@rendezvous/signaling';
import { type LuaReply, members, parseLeave } from './live-state-replies.js';
import { luaScript } from './lua-scripts.js';
import { keySpace, LIVE_STATE_TAG, type RedisClient } from './redis-keys.js';

/*
 * Key layout (P = REDIS_KEY_PREFIX followed by the hash tag `{live}:`, so that on Redis Cluster every key of the
 * live state is in one slot and each script's decision stays atomic):
 *   P s:<session>     hash  name, replica, address, group, flight
 *   P r:<replica>     set   session ids connected to that replica
 *   P replicas        zset  replica id -> last heartbeat (ms)
 *   P n:<group>       hash  session id -> "<busy 0|1><name>" (presence of one network)
 *   P f:<code>        hash  room, members ("id" or "id id"); PEXPIRE while not full
 *   P flights         zset  code -> expiry ms (+inf while full), for counting
 *   P reap:<replica>  string lock taken by the survivor that reaps a dead replica
 *   P parked          zset  session id -> end of its resume grace (ms), sessions of a drained replica
 *                     (their hash holds `resume`, the digest of the token their client resumes with)
 * Scripts (lua/live-state/*.lua, each with a header naming its KEYS, ARGV and reply) take the keys they know
 * before they run as KEYS; keys they find inside (a flight member's session, a network) carry the same tag.
 */

/** The scripts (libs/cluster/src/lua/live-state/<file>.lua) by the name this store runs them under, with their KEYS count. */
const SCRIPTS = {
  create: ['create-flight', 3],
  join: ['join-flight', 3],
  leave: ['leave-flight', 2],
  remove: ['remove-session', 3],
  rename: ['rename-session', 1],
  restore: ['restore-flight', 3],
  claim: ['claim-dead-replica', 2],
  renewReap: ['renew-reap-lock', 1],
  attachRoom: ['attach-room-channel', 2],
  detachRoom: ['detach-room-channel', 1],
  hide: ['hide-from-presence', 1],
  park: ['park-session', 2],
  resume: ['resume-session', 3],
} as const;
type ScriptName = keyof typeof SCRIPTS;

/** Cluster live state in Redis. Multi-key changes run as Lua scripts, so they are atomic across replicas. */
export class RedisLiveStateStore implements LiveStateStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.prefix = keySpace(keyPrefix, LIVE_STATE_TAG);
    for (const [name, [file, numberOfKeys]] of Object.entries(SCRIPTS)) {
      redis.defineCommand(`rv_${name}`, { numberOfKeys, lua: luaScript('live-state', file) });
    }
  }

  /** Runs a script with its KEYS, then the live-state prefix (for the keys it finds inside) and its ARGV. */
  private run(name: ScriptName, keys: string[], ...args: (string | number)[]): Promise<LuaReply> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<LuaReply>>)[
      `rv_${name}`
    ] as (...a: (string | number)[]) => Promise<LuaReply>;
    return command.call(this.redis, ...keys, this.prefix, ...args);
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id}`;
  }

  private flightKeys(sessionId: string, code: string): string[] {
    return [this.key('s:', sessionId), this.key('f:', code), this.key('flights')];
  }

  async registerSession(session: SessionRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key('s:', session.id), {
        name: session.name,
        replica: session.replicaId,
        address: session.address,
        group: session.group,
      })
      .sadd(this.key('r:', session.replicaId), session.id)
      .hset(this.key('n:', session.group), session.id, `0${session.name}`)
      .exec();
  }

  async renameSession(id: string, name: string): Promise<SessionRecord | null> {
    const reply = (await this.run('rename', [this.key('s:', id)], id, name)) as string[] | null;
    if (!reply) return null;
    const [replicaId, address, group] = reply as [string, string, string];
    return { id, name, replicaId, address, group };
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const [name, replicaId, address, group] = await this.redis.hmget(
      this.key('s:', id),
      'name',
      'replica',
      'address',
      'group',
    );
    if (name == null || replicaId == null || address == null || group == null) return null;
    return { id, name, replicaId, address, group };
  }

  removeSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    return this.remove(id, flightTtlMs, nowMs, false);
  }

  removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    return this.remove(id, flightTtlMs, nowMs, true);
  }

  async parkSession(id: string, resumeDigest: string, untilMs: number): Promise<boolean> {
    return (await this.run('park', [this.key('s:', id), this.key('parked')], id, resumeDigest, untilMs)) === 1;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const reply = (await this.run(
      'resume',
      [this.key('s:', id), this.key('parked'), this.key('r:', replicaId)],
      id,
      resumeDigest,
      replicaId,
      nowMs,
    )) as LuaReply[] | null;
    if (!reply) return null;
    const [name, address, group, code, room] = reply.map(String) as [string, string, string, string?, string?];
    const session = { id, name, replicaId, address, group };
    if (code === undefined || room === undefined) return { session, flight: null };
    return { session, flight: { code, room, peer: members(reply, 5)[0] ?? null } };
  }

  async expiredParkedSessions(nowMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key('parked'), '-inf', nowMs);
  }

  private async remove(
    id: string,
    flightTtlMs: number,
    nowMs: number,
    onlyParked: boolean,
  ): Promise<RemovedSession | null> {
    const reply = (await this.run(
      'remove',
      [this.key('s:', id), this.key('parked'), this.key('flights')],
      id,
      flightTtlMs,
      nowMs,
      onlyParked ? '1' : '0',
    )) as LuaReply[] | null;
    if (!reply) return null;
    const [name, replicaId, address, group] = reply.map(String) as [string, string, string, string];
    const flight = reply.length > 4 ? parseLeave(reply.slice(4)) : null;
    return { session: { id, name, replicaId, address, group }, flight };
  }

  async listNetwork(group: string): Promise<PresenceEntry[]> {
    const entries = await this.redis.hgetall(this.key('n:', group));
    return Object.entries(entries).map(([id, value]) => ({ id, name: value.slice(1), busy: value[0] === '1' }));
  }

  async createFlight(
    code: string,
    room: string,
    sessionId: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<CreateFlightResult> {
    const status = (await this.run(
      'create',
      this.flightKeys(sessionId, code),
      code,
      room,
      sessionId,
      ttlMs,
      nowMs,
    )) as CreateFlightResult['status'];
    return { status };
  }

  async joinFlight(code: string, sessionId: string): Promise<JoinFlightResult> {
    const reply = (await this.run('join', this.flightKeys(sessionId, code), code, sessionId)) as LuaReply[];
    const status = reply[0] as JoinFlightResult['status'];
    if (status !== 'joined') return { status } as JoinFlightResult;
    return { status, room: String(reply[1]), others: members(reply, 2) };
  }

  async leaveFlight(sessionId: string, ttlMs: number, nowMs: number): Promise<LeaveFlightResult | null> {
    const reply = (await this.run(
      'leave',
      [this.key('s:', sessionId), this.key('flights')],
      sessionId,
      ttlMs,
      nowMs,
    )) as LuaReply[] | null;
    return reply ? parseLeave(reply) : null;
  }

  async getFlight(code: string): Promise<FlightRecord | null> {
    const [room, list] = await this.redis.hmget(this.key('f:', code), 'room', 'members');
    if (!room || !list) return null;
    return { code, room, members: list.split(' ') };
  }

  async restoreSession(
    session: SessionRecord,
    flight: { code: string; room: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<void> {
    const exists = await this.redis.exists(this.key('s:', session.id));
    if (!exists) await this.registerSession(session);
    else await this.redis.sadd(this.key('r:', session.replicaId), session.id);
    if (flight)
      await this.run(
        'restore',
        this.flightKeys(session.id, flight.code),
        flight.code,
        flight.room,
        session.id,
        ttlMs,
        nowMs,
      );
  }

  async attachRoomChannel(
    key: string,
    role: 'host' | 'guest',
    sessionId: string,
    ttlMs: number,
    attachment: string,
  ): Promise<RoomChannelAttached> {
    const reply = (await this.run(
      'attachRoom',
      [this.key('rc:', key), this.key('s:', sessionId)],
      key,
      role,
      sessionId,
      ttlMs,
      attachment,
    )) as LuaReply[];
    return { displaced: reply[0] ? String(reply[0]) : null, other: members(reply, 1)[0] ?? null };
  }

  async detachRoomChannel(key: string, role: 'host' | 'guest', sessionId: string): Promise<RoomChannelDetached> {
    const reply = (await this.run('detachRoom', [this.key('rc:', key)], key, role, sessionId)) as LuaReply[];
    return { displaced: reply[0] === 1, other: members(reply, 1)[0] ?? null };
  }

  async attachmentOf(sessionId: string): Promise<string | null> {
    return this.redis.hget(this.key('s:', sessionId), 'attach');
  }

  async hideFromPresence(sessionId: string): Promise<void> {
    await this.run('hide', [this.key('s:', sessionId)], sessionId);
  }

  async heartbeat(replicaId: string, nowMs: number): Promise<boolean> {
    const [[, added]] = (await this.redis
      .multi()
      .zadd(this.key('replicas'), nowMs, replicaId)
      .zremrangebyscore(this.key('flights'), '-inf', nowMs)
      .exec()) as [[Error | null, number]];
    return added === 0;
  }

  async deadReplicas(nowMs: number, timeoutMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key('replicas'), '-inf', nowMs - timeoutMs);
  }

  async claimDeadReplica(replicaId: string, lockMs: number, holder: string): Promise<string[] | null> {
    const reply = (await this.run(
      'claim',
      [this.key('reap:', replicaId), this.key('r:', replicaId)],
      replicaId,
      lockMs,
      holder,
    )) as string[] | null;
    return reply ?? null;
  }

  async renewReapLock(replicaId: string, lockMs: number, holder: string): Promise<boolean> {
    return (await this.run('renewReap', [this.key('reap:', replicaId)], replicaId, lockMs, holder)) === 1;
  }

  async forgetReplica(replicaId: string): Promise<void> {
    await this.redis.multi().zrem(this.key('replicas'), replicaId).del(this.key('r:', replicaId)).exec();
  }

  async sessionsOf(replicaId: string): Promise<string[]> {
    return this.redis.smembers(this.key('r:', replicaId));
  }

  async counts(nowMs: number): Promise<ClusterCounts> {
    const [replicaIds, flights] = await Promise.all([
      this.redis.zrange(this.key('replicas'), 0, -1, 'WITHSCORES'),
      this.redis.zcount(this.key('flights'), `(${nowMs}`, '+inf'),
    ]);
    const pipeline = this.redis.pipeline();
    const replicas: ClusterCounts['replicas'] = [];
    for (let i = 0; i < replicaIds.length; i += 2) {
      const id = replicaIds[i] as string;
      replicas.push({ id, lastHeartbeat: Number(replicaIds[i + 1]), sessions: 0 });
      pipeline.scard(this.key('r:', id));
    }
    const sizes = (await pipeline.exec()) ?? [];
    sizes.forEach(([, size], index) => {
      const replica = replicas[index];
      if (replica) replica.sessions = Number(size ?? 0);
    });
    return { sessions: replicas.reduce((sum, r) => sum + r.sessions, 0), flights, replicas };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
