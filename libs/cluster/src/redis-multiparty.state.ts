import type { Redis } from 'ioredis';
import type {
  CallState,
  JoinCallResult,
  JoinRoomResult,
  Membership,
  MultipartyState,
  RoomDeparture,
  RoomMember,
  Roster,
  StartCallResult,
} from '@rendezvous/rooms';

/*
 * Key layout (P = REDIS_KEY_PREFIX):
 *   P m:<room>    hash  session id -> username (the room's members)
 *   P mv:<room>   string roster version
 *   P mc:<room>   set   ids of the room's active calls
 *   P mm:<sess>   hash  room, call (where a session sits; read when reaping a dead replica's sessions)
 *   P c:<call>    hash  room, by, at, members ("id id ..."), v (version)
 *   P mrooms, P calls  sets of rooms with members and of active calls, for counting
 * Versions start from Redis' clock in microseconds, so they keep growing after Redis restarts empty.
 * Scripts answer JSON; versions travel as strings because Lua's cjson would round 16-digit numbers.
 */
const LUA_HELPERS = `
local p = ARGV[1]
local function nextVersion(current)
  local v = (tonumber(current) or 0) + 1
  local t = redis.call('TIME')
  local clock = tonumber(t[1]) * 1000000 + tonumber(t[2])
  if clock > v then v = clock end
  return string.format('%.0f', v)
end
local function rosterOf(room)
  return {room, redis.call('GET', p .. 'mv:' .. room) or '0', redis.call('HGETALL', p .. 'm:' .. room)}
end
local function bumpRoom(room)
  local vkey = p .. 'mv:' .. room
  redis.call('SET', vkey, nextVersion(redis.call('GET', vkey)))
  return rosterOf(room)
end
local function callState(cid)
  local c = redis.call('HMGET', p .. 'c:' .. cid, 'room', 'by', 'at', 'members', 'v')
  return {cid, c[1], c[2], c[3], c[4] or '', c[5]}
end
local function enterCall(cid, sid)
  local ckey = p .. 'c:' .. cid
  local c = redis.call('HMGET', ckey, 'members', 'v')
  local list, present = {}, false
  for id in string.gmatch(c[1] or '', '%S+') do
    list[#list + 1] = id
    if id == sid then present = true end
  end
  if not present then list[#list + 1] = sid end
  redis.call('HSET', ckey, 'members', table.concat(list, ' '), 'v', nextVersion(c[2]))
  redis.call('HSET', p .. 'mm:' .. sid, 'call', cid)
  return callState(cid)
end
local function leaveCall(sid)
  local mkey = p .. 'mm:' .. sid
  local cid = redis.call('HGET', mkey, 'call')
  if not cid then return false end
  redis.call('HDEL', mkey, 'call')
  local ckey = p .. 'c:' .. cid
  local c = redis.call('HMGET', ckey, 'room', 'by', 'at', 'members', 'v')
  if not c[1] then return false end
  local rest = {}
  for id in string.gmatch(c[4] or '', '%S+') do if id ~= sid then rest[#rest + 1] = id end end
  local v = nextVersion(c[5])
  if #rest == 0 then
    redis.call('DEL', ckey)
    redis.call('SREM', p .. 'mc:' .. c[1], cid)
    redis.call('SREM', p .. 'calls', cid)
  else
    redis.call('HSET', ckey, 'members', table.concat(rest, ' '), 'v', v)
  end
  return {cid, c[1], c[2], c[3], table.concat(rest, ' '), v}
end
local function leaveRoom(sid)
  local room = redis.call('HGET', p .. 'mm:' .. sid, 'room')
  if not room then return false end
  local call = leaveCall(sid)
  redis.call('DEL', p .. 'mm:' .. sid)
  local mkey = p .. 'm:' .. room
  redis.call('HDEL', mkey, sid)
  local roster = bumpRoom(room)
  if redis.call('HLEN', mkey) == 0 then
    redis.call('DEL', p .. 'mv:' .. room)
    redis.call('SREM', p .. 'mrooms', room)
  end
  return {roster, call}
end
`;

const SCRIPTS = {
  joinRoom: `${LUA_HELPERS}
local room, sid, username, cap = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local current = redis.call('HGET', p .. 'mm:' .. sid, 'room')
local mkey = p .. 'm:' .. room
local rejoining = current == room
if not rejoining and redis.call('HLEN', mkey) >= cap then return cjson.encode({'full'}) end
local previous = false
if current and not rejoining then previous = leaveRoom(sid) end
redis.call('HSET', mkey, sid, username)
if not rejoining then redis.call('HSET', p .. 'mm:' .. sid, 'room', room) end
redis.call('SADD', p .. 'mrooms', room)
local calls = {}
for _, cid in ipairs(redis.call('SMEMBERS', p .. 'mc:' .. room)) do calls[#calls + 1] = callState(cid) end
return cjson.encode({'joined', bumpRoom(room), calls, previous})
`,
  leaveRoom: `${LUA_HELPERS}
return cjson.encode({leaveRoom(ARGV[2])})
`,
  renameMember: `${LUA_HELPERS}
local sid, username = ARGV[2], ARGV[3]
local room = redis.call('HGET', p .. 'mm:' .. sid, 'room')
if not room then return cjson.encode({false}) end
redis.call('HSET', p .. 'm:' .. room, sid, username)
return cjson.encode({bumpRoom(room)})
`,
  roster: `${LUA_HELPERS}
return cjson.encode({rosterOf(ARGV[2])})
`,
  startCall: `${LUA_HELPERS}
local cid, sid, now = ARGV[2], ARGV[3], ARGV[4]
local room = redis.call('HGET', p .. 'mm:' .. sid, 'room')
if not room then return cjson.encode({'not-in-room'}) end
local previous = leaveCall(sid)
redis.call('HSET', p .. 'c:' .. cid, 'room', room, 'by', sid, 'at', now, 'members', '')
redis.call('SADD', p .. 'mc:' .. room, cid)
redis.call('SADD', p .. 'calls', cid)
return cjson.encode({'started', enterCall(cid, sid), previous})
`,
  joinCall: `${LUA_HELPERS}
local cid, sid = ARGV[2], ARGV[3]
local room = redis.call('HGET', p .. 'c:' .. cid, 'room')
if not room then return cjson.encode({'not-found'}) end
local m = redis.call('HMGET', p .. 'mm:' .. sid, 'room', 'call')
if m[1] ~= room then return cjson.encode({'not-in-room'}) end
if m[2] == cid then return cjson.encode({'joined', callState(cid), false}) end
local previous = leaveCall(sid)
return cjson.encode({'joined', enterCall(cid, sid), previous})
`,
  leaveCall: `${LUA_HELPERS}
return cjson.encode({leaveCall(ARGV[2])})
`,
  getCall: `${LUA_HELPERS}
if redis.call('EXISTS', p .. 'c:' .. ARGV[2]) == 0 then return cjson.encode({false}) end
return cjson.encode({callState(ARGV[2])})
`,
  restoreMember: `${LUA_HELPERS}
local room, sid, username, cid, by, at = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
redis.call('HSET', p .. 'm:' .. room, sid, username)
redis.call('HSET', p .. 'mm:' .. sid, 'room', room)
redis.call('SADD', p .. 'mrooms', room)
local roster = bumpRoom(room)
local call = false
if cid ~= '' then
  local ckey = p .. 'c:' .. cid
  if redis.call('EXISTS', ckey) == 0 then
    redis.call('HSET', ckey, 'room', room, 'by', by, 'at', at, 'members', '')
    redis.call('SADD', p .. 'mc:' .. room, cid)
    redis.call('SADD', p .. 'calls', cid)
  end
  call = enterCall(cid, sid)
end
return cjson.encode({roster, call})
`,
} as const;

type ScriptName = keyof typeof SCRIPTS;
/** A script's JSON answer: Lua's cjson turns an empty table into `{}` and a missing value into `false`. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const list = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

function toRoster(value: Json | undefined): Roster {
  const [roomId, version, flat] = list(value);
  const fields = list(flat);
  const members: RoomMember[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2)
    members.push({ id: String(fields[i]), username: String(fields[i + 1]) });
  return { roomId: String(roomId), version: Number(version), members };
}

function toCall(value: Json | undefined): CallState | null {
  if (!Array.isArray(value)) return null;
  const [callId, roomId, startedBy, startedAt, participants, version] = value;
  return {
    callId: String(callId),
    roomId: String(roomId),
    startedBy: String(startedBy),
    startedAt: Number(startedAt),
    version: Number(version),
    participants: String(participants).split(' ').filter(Boolean),
  };
}

function toDeparture(value: Json | undefined): RoomDeparture | null {
  if (!Array.isArray(value)) return null;
  return { roster: toRoster(value[0]), call: toCall(value[1]) };
}

/** Multiparty rooms and calls in Redis; each change is one Lua script, atomic across replicas. */
export class RedisMultipartyState implements MultipartyState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      redis.defineCommand(`rvm_${name}`, { numberOfKeys: 0, lua });
    }
  }

  private async run(name: ScriptName, ...args: (string | number)[]): Promise<Json[]> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<string>>)[
      `rvm_${name}`
    ] as (...a: (string | number)[]) => Promise<string>;
    return list(JSON.parse(await command.call(this.redis, this.prefix, ...args)) as Json);
  }

  async joinRoom(roomId: string, member: RoomMember, cap: number): Promise<JoinRoomResult> {
    const [status, roster, calls, previous] = await this.run('joinRoom', roomId, member.id, member.username, cap);
    if (status !== 'joined') return { status: 'full' };
    return {
      status: 'joined',
      roster: toRoster(roster),
      calls: list(calls).flatMap((call) => toCall(call) ?? []),
      previous: toDeparture(previous),
    };
  }

  async leaveRoom(sessionId: string): Promise<RoomDeparture | null> {
    const [departure] = await this.run('leaveRoom', sessionId);
    return toDeparture(departure);
  }

  async renameMember(sessionId: string, username: string): Promise<Roster | null> {
    const [roster] = await this.run('renameMember', sessionId, username);
    return Array.isArray(roster) ? toRoster(roster) : null;
  }

  async roster(roomId: string): Promise<Roster> {
    const [roster] = await this.run('roster', roomId);
    return toRoster(roster);
  }

  async isMember(roomId: string, sessionId: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.prefix}m:${roomId}`, sessionId)) === 1;
  }

  async membership(sessionId: string): Promise<Membership | null> {
    const [roomId, callId] = await this.redis.hmget(`${this.prefix}mm:${sessionId}`, 'room', 'call');
    return roomId ? { roomId, callId: callId ?? null } : null;
  }

  async memberCounts(roomIds: string[]): Promise<Map<string, number>> {
    if (roomIds.length === 0) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of roomIds) pipeline.hlen(`${this.prefix}m:${id}`);
    const replies = (await pipeline.exec()) ?? [];
    return new Map(roomIds.map((id, index) => [id, Number(replies[index]?.[1] ?? 0)]));
  }

  async startCall(callId: string, sessionId: string, nowMs: number): Promise<StartCallResult> {
    const [status, call, previous] = await this.run('startCall', callId, sessionId, nowMs);
    if (status !== 'started') return { status: 'not-in-room' };
    return { status: 'started', call: toCall(call) as CallState, previous: toCall(previous) };
  }

  async joinCall(callId: string, sessionId: string): Promise<JoinCallResult> {
    const [status, call, previous] = await this.run('joinCall', callId, sessionId);
    if (status === 'not-found' || status === 'not-in-room') return { status };
    return { status: 'joined', call: toCall(call) as CallState, previous: toCall(previous) };
  }

  async leaveCall(sessionId: string): Promise<CallState | null> {
    const [call] = await this.run('leaveCall', sessionId);
    return toCall(call);
  }

  async getCall(callId: string): Promise<CallState | null> {
    const [call] = await this.run('getCall', callId);
    return toCall(call);
  }

  async restoreMember(
    roomId: string,
    member: RoomMember,
    call: { callId: string; startedBy: string; startedAt: number } | null,
  ): Promise<{ roster: Roster; call: CallState | null }> {
    const [roster, restoredCall] = await this.run(
      'restoreMember',
      roomId,
      member.id,
      member.username,
      call?.callId ?? '',
      call?.startedBy ?? '',
      call?.startedAt ?? 0,
    );
    return { roster: toRoster(roster), call: toCall(restoredCall) };
  }

  async counts(): Promise<{ rooms: number; calls: number }> {
    const [rooms, calls] = await Promise.all([
      this.redis.scard(`${this.prefix}mrooms`),
      this.redis.scard(`${this.prefix}calls`),
    ]);
    return { rooms, calls };
  }
}
