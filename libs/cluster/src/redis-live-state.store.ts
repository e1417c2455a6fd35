import type { Redis } from 'ioredis';
import type {
  ClusterCounts,
  CreateFlightResult,
  FlightMember,
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

/*
 * Key layout (P = REDIS_KEY_PREFIX):
 *   P s:<session>     hash  name, replica, address, group, flight
 *   P r:<replica>     set   session ids connected to that replica
 *   P replicas        zset  replica id -> last heartbeat (ms)
 *   P n:<group>       hash  session id -> "<busy 0|1><name>" (presence of one network)
 *   P f:<code>        hash  room, members ("id" or "id id"); PEXPIRE while not full
 *   P flights         zset  code -> expiry ms (+inf while full), for counting
 *   P reap:<replica>  string lock taken by the survivor that reaps a dead replica
 *   P parked          zset  session id -> end of its resume grace (ms), sessions of a drained replica
 *                     (their hash holds `resume`, the digest of the token their client resumes with)
 * Scripts build keys from the prefix, so they assume one Redis (or a Sentinel pair), not Redis Cluster.
 */

const LUA_HELPERS = `
local p = ARGV[1]
local function split(members)
  local list = {}
  if members then for id in string.gmatch(members, '%S+') do list[#list + 1] = id end end
  return list
end
local function contains(list, id)
  for _, m in ipairs(list) do if m == id then return true end end
  return false
end
local function inFlight(sid)
  local code = redis.call('HGET', p .. 's:' .. sid, 'flight')
  if not code then return nil end
  local list = split(redis.call('HGET', p .. 'f:' .. code, 'members'))
  if contains(list, sid) then return code, list end
  return nil
end
-- Only for a session on its network's list: a hidden one (a screen-share or chat socket) stays hidden.
local function setBusy(sid, busy)
  local s = redis.call('HMGET', p .. 's:' .. sid, 'group', 'name')
  if s[1] and redis.call('HEXISTS', p .. 'n:' .. s[1], sid) == 1 then
    redis.call('HSET', p .. 'n:' .. s[1], sid, (busy and '1' or '0') .. s[2])
  end
end
local function member(sid)
  local s = redis.call('HMGET', p .. 's:' .. sid, 'name', 'address', 'group')
  return {sid, s[1] or '', s[2] or '', s[3] or ''}
end
-- Removes sid from its flight; returns {code, room, remaining members flattened...} or nil.
local function leave(sid, ttl, now)
  local skey = p .. 's:' .. sid
  local code, list = inFlight(sid)
  redis.call('HDEL', skey, 'flight')
  if not code then return nil end
  local fkey = p .. 'f:' .. code
  local room = redis.call('HGET', fkey, 'room')
  local remaining = {}
  for _, m in ipairs(list) do if m ~= sid then remaining[#remaining + 1] = m end end
  local result = {code, room}
  if #remaining == 0 then
    redis.call('DEL', fkey)
    redis.call('ZREM', p .. 'flights', code)
  else
    redis.call('HSET', fkey, 'members', table.concat(remaining, ' '))
    redis.call('PEXPIRE', fkey, ttl)
    redis.call('ZADD', p .. 'flights', now + ttl, code)
    for _, m in ipairs(remaining) do
      setBusy(m, false)
      for _, field in ipairs(member(m)) do result[#result + 1] = field end
    end
  end
  setBusy(sid, false)
  return result
end
`;

const CREATE_FLIGHT = `${LUA_HELPERS}
local code, room, sid, ttl, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
if redis.call('EXISTS', p .. 's:' .. sid) == 0 then return 'no-session' end
if inFlight(sid) then return 'already-in-flight' end
local fkey = p .. 'f:' .. code
if redis.call('EXISTS', fkey) == 1 then return 'code-taken' end
redis.call('HSET', fkey, 'room', room, 'members', sid)
redis.call('PEXPIRE', fkey, ttl)
redis.call('ZADD', p .. 'flights', now + ttl, code)
redis.call('HSET', p .. 's:' .. sid, 'flight', code)
return 'created'
`;

const JOIN_FLIGHT = `${LUA_HELPERS}
local code, sid = ARGV[2], ARGV[3]
if redis.call('EXISTS', p .. 's:' .. sid) == 0 then return {'no-session'} end
if inFlight(sid) then return {'already-in-flight'} end
local fkey = p .. 'f:' .. code
local flight = redis.call('HMGET', fkey, 'room', 'members')
local list = split(flight[2])
if not flight[1] or #list == 0 then return {'not-found'} end
if #list >= 2 then return {'full'} end
local result = {'joined', flight[1]}
for _, m in ipairs(list) do for _, field in ipairs(member(m)) do result[#result + 1] = field end end
list[#list + 1] = sid
redis.call('HSET', fkey, 'members', table.concat(list, ' '))
redis.call('PERSIST', fkey)
redis.call('ZADD', p .. 'flights', '+inf', code)
redis.call('HSET', p .. 's:' .. sid, 'flight', code)
for _, m in ipairs(list) do setBusy(m, true) end
return result
`;

const LEAVE_FLIGHT = `${LUA_HELPERS}
return leave(ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
`;

const REMOVE_SESSION = `${LUA_HELPERS}
local sid, ttl, now, onlyParked = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
if redis.call('ZREM', p .. 'parked', sid) == 0 and onlyParked then return nil end
local skey = p .. 's:' .. sid
local s = redis.call('HMGET', skey, 'name', 'replica', 'address', 'group')
if not s[1] then return nil end
local left = leave(sid, ttl, now) or {}
redis.call('HDEL', p .. 'n:' .. s[4], sid)
redis.call('SREM', p .. 'r:' .. s[2], sid)
redis.call('DEL', skey)
local result = {s[1], s[2], s[3], s[4]}
for _, field in ipairs(left) do result[#result + 1] = field end
return result
`;

const RENAME_SESSION = `${LUA_HELPERS}
local sid, name = ARGV[2], ARGV[3]
local skey = p .. 's:' .. sid
local s = redis.call('HMGET', skey, 'replica', 'address', 'group')
if not s[1] then return nil end
redis.call('HSET', skey, 'name', name)
local flag = redis.call('HGET', p .. 'n:' .. s[3], sid)
if flag then redis.call('HSET', p .. 'n:' .. s[3], sid, string.sub(flag, 1, 1) .. name) end
return s
`;

const RESTORE_FLIGHT = `${LUA_HELPERS}
local code, room, sid, ttl, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local fkey = p .. 'f:' .. code
local flight = redis.call('HMGET', fkey, 'room', 'members')
local list = split(flight[2])
if not flight[1] then
  redis.call('HSET', fkey, 'room', room, 'members', sid)
  redis.call('PEXPIRE', fkey, ttl)
  redis.call('ZADD', p .. 'flights', now + ttl, code)
elseif flight[1] ~= room then
  return 'conflict'
elseif not contains(list, sid) then
  if #list >= 2 then return 'conflict' end
  list[#list + 1] = sid
  redis.call('HSET', fkey, 'members', table.concat(list, ' '))
  if #list == 2 then
    redis.call('PERSIST', fkey)
    redis.call('ZADD', p .. 'flights', '+inf', code)
    for _, m in ipairs(list) do setBusy(m, true) end
  end
end
redis.call('HSET', p .. 's:' .. sid, 'flight', code)
return 'restored'
`;

const ATTACH_ROOM_CHANNEL = `${LUA_HELPERS}
local key, role, sid, ttl, attachment = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local ckey = p .. 'rc:' .. key
if redis.call('EXISTS', p .. 's:' .. sid) == 1 then redis.call('HSET', p .. 's:' .. sid, 'attach', attachment) end
local previous = redis.call('HGET', ckey, role)
local displaced = ''
if previous and previous ~= sid and redis.call('EXISTS', p .. 's:' .. previous) == 1 then displaced = previous end
redis.call('HSET', ckey, role, sid)
redis.call('PEXPIRE', ckey, ttl)
local other = redis.call('HGET', ckey, role == 'host' and 'guest' or 'host')
local result = {displaced}
if other and redis.call('EXISTS', p .. 's:' .. other) == 1 then
  for _, v in ipairs(member(other)) do result[#result + 1] = v end
end
return result
`;

const DETACH_ROOM_CHANNEL = `${LUA_HELPERS}
local key, role, sid = ARGV[2], ARGV[3], ARGV[4]
local ckey = p .. 'rc:' .. key
local holder = redis.call('HGET', ckey, role)
if holder and holder ~= sid then return {1} end
if not holder then return {0} end
redis.call('HDEL', ckey, role)
local other = redis.call('HGET', ckey, role == 'host' and 'guest' or 'host')
local result = {0}
if other and redis.call('EXISTS', p .. 's:' .. other) == 1 then
  for _, v in ipairs(member(other)) do result[#result + 1] = v end
end
return result
`;

const HIDE_FROM_PRESENCE = `
local p, sid = ARGV[1], ARGV[2]
local group = redis.call('HGET', p .. 's:' .. sid, 'group')
if group then redis.call('HDEL', p .. 'n:' .. group, sid) end
return 1
`;

const PARK_SESSION = `
local p, sid, digest, deadline = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local skey = p .. 's:' .. sid
local replica = redis.call('HGET', skey, 'replica')
if not replica then return 0 end
redis.call('HSET', skey, 'resume', digest)
redis.call('SREM', p .. 'r:' .. replica, sid)
redis.call('ZADD', p .. 'parked', deadline, sid)
return 1
`;

const RESUME_SESSION = `${LUA_HELPERS}
local sid, digest, rid, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local deadline = redis.call('ZSCORE', p .. 'parked', sid)
if not deadline or tonumber(deadline) <= now then return nil end
local skey = p .. 's:' .. sid
if redis.call('HGET', skey, 'resume') ~= digest then return nil end
redis.call('ZREM', p .. 'parked', sid)
redis.call('HDEL', skey, 'resume')
redis.call('HSET', skey, 'replica', rid)
redis.call('SADD', p .. 'r:' .. rid, sid)
local s = redis.call('HMGET', skey, 'name', 'address', 'group')
local result = {s[1], s[2], s[3]}
local code, list = inFlight(sid)
if code then
  result[4] = code
  result[5] = redis.call('HGET', p .. 'f:' .. code, 'room')
  for _, m in ipairs(list) do
    if m ~= sid then for _, field in ipairs(member(m)) do result[#result + 1] = field end end
  end
end
return result
`;

const CLAIM_REPLICA = `
local p, rid, lockMs, holder = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if not redis.call('SET', p .. 'reap:' .. rid, holder, 'NX', 'PX', lockMs) then return false end
return redis.call('SMEMBERS', p .. 'r:' .. rid)
`;

const RENEW_REAP_LOCK = `
local p, rid, lockMs, holder = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', p .. 'reap:' .. rid) ~= holder then return 0 end
redis.call('PEXPIRE', p .. 'reap:' .. rid, lockMs)
return 1
`;

type ScriptName =
  | 'create'
  | 'join'
  | 'leave'
  | 'remove'
  | 'rename'
  | 'restore'
  | 'claim'
  | 'renewReap'
  | 'attachRoom'
  | 'detachRoom'
  | 'hide'
  | 'park'
  | 'resume';
const SCRIPTS: Record<ScriptName, string> = {
  create: CREATE_FLIGHT,
  join: JOIN_FLIGHT,
  leave: LEAVE_FLIGHT,
  remove: REMOVE_SESSION,
  rename: RENAME_SESSION,
  restore: RESTORE_FLIGHT,
  claim: CLAIM_REPLICA,
  renewReap: RENEW_REAP_LOCK,
  attachRoom: ATTACH_ROOM_CHANNEL,
  detachRoom: DETACH_ROOM_CHANNEL,
  hide: HIDE_FROM_PRESENCE,
  park: PARK_SESSION,
  resume: RESUME_SESSION,
};

type LuaReply = string | number | null | LuaReply[];

function members(flat: LuaReply[], from: number): FlightMember[] {
  const list: FlightMember[] = [];
  for (let i = from; i + 3 < flat.length; i += 4) {
    list.push({
      id: String(flat[i]),
      name: String(flat[i + 1]),
      address: String(flat[i + 2]),
      group: String(flat[i + 3]),
    });
  }
  return list;
}

/** Cluster live state in Redis. Multi-key changes run as Lua scripts, so they are atomic across replicas. */
export class RedisLiveStateStore implements LiveStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      redis.defineCommand(`rv_${name}`, { numberOfKeys: 0, lua });
    }
  }

  private run(name: ScriptName, ...args: (string | number)[]): Promise<LuaReply> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<LuaReply>>)[
      `rv_${name}`
    ] as (...a: (string | number)[]) => Promise<LuaReply>;
    return command.call(this.redis, this.prefix, ...args);
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id}`;
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
    const reply = (await this.run('rename', id, name)) as string[] | null;
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
    return (await this.run('park', id, resumeDigest, untilMs)) === 1;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const reply = (await this.run('resume', id, resumeDigest, replicaId, nowMs)) as LuaReply[] | null;
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
    const reply = (await this.run('remove', id, flightTtlMs, nowMs, onlyParked ? '1' : '0')) as LuaReply[] | null;
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
    const status = (await this.run('create', code, room, sessionId, ttlMs, nowMs)) as CreateFlightResult['status'];
    return { status };
  }

  async joinFlight(code: string, sessionId: string): Promise<JoinFlightResult> {
    const reply = (await this.run('join', code, sessionId)) as LuaReply[];
    const status = reply[0] as JoinFlightResult['status'];
    if (status !== 'joined') return { status } as JoinFlightResult;
    return { status, room: String(reply[1]), others: members(reply, 2) };
  }

  async leaveFlight(sessionId: string, ttlMs: number, nowMs: number): Promise<LeaveFlightResult | null> {
    const reply = (await this.run('leave', sessionId, ttlMs, nowMs)) as LuaReply[] | null;
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
    if (flight) await this.run('restore', flight.code, flight.room, session.id, ttlMs, nowMs);
  }

  async attachRoomChannel(
    key: string,
    role: 'host' | 'guest',
    sessionId: string,
    ttlMs: number,
    attachment: string,
  ): Promise<RoomChannelAttached> {
    const reply = (await this.run('attachRoom', key, role, sessionId, ttlMs, attachment)) as LuaReply[];
    return { displaced: reply[0] ? String(reply[0]) : null, other: members(reply, 1)[0] ?? null };
  }

  async detachRoomChannel(key: string, role: 'host' | 'guest', sessionId: string): Promise<RoomChannelDetached> {
    const reply = (await this.run('detachRoom', key, role, sessionId)) as LuaReply[];
    return { displaced: reply[0] === 1, other: members(reply, 1)[0] ?? null };
  }

  async attachmentOf(sessionId: string): Promise<string | null> {
    return this.redis.hget(this.key('s:', sessionId), 'attach');
  }

  async hideFromPresence(sessionId: string): Promise<void> {
    await this.run('hide', sessionId);
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
    const reply = (await this.run('claim', replicaId, lockMs, holder)) as string[] | null;
    return reply ?? null;
  }

  async renewReapLock(replicaId: string, lockMs: number, holder: string): Promise<boolean> {
    return (await this.run('renewReap', replicaId, lockMs, holder)) === 1;
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

function parseLeave(flat: LuaReply[]): LeaveFlightResult {
  return { code: String(flat[0]), room: String(flat[1]), remaining: members(flat, 2) };
}
