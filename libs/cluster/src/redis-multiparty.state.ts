import type {
  CallState,
  JoinCallResult,
  JoinRoomResult,
  Membership,
  MultipartyState,
  RoomDeparture,
  RoomMember,
  RoomOverview,
  Roster,
  StartCallResult,
} from '@rendezvous/rooms';
import { type LuaReply, luaScript } from './lua-scripts.js';
import { keySpace, type RedisClient } from './redis-keys.js';

/*
 * Key layout (P = REDIS_KEY_PREFIX followed by the hash tag `{mp}:`: one slot on Redis Cluster, apart from the
 * live state's, since no script touches both):
 *   P m:<room>    hash  session id -> username (the room's members)
 *   P mv:<room>   string roster version
 *   P mc:<room>   set   ids of the room's active calls
 *   P mm:<sess>   hash  room, call (where a session sits; read when reaping a dead replica's sessions)
 *   P c:<call>    hash  room, by, at, members ("id id ..."), v (version)
 *   P mrooms, P calls  sets of rooms with members and of active calls, for counting
 * Versions start from Redis' clock in microseconds, so they keep growing after Redis restarts empty.
 * Scripts (lua/multiparty/*.lua) take the keys they know as KEYS and answer JSON; versions travel as strings because Lua's cjson would round
 * 16-digit numbers.
 */
/** The scripts (libs/cluster/src/lua/multiparty/<file>.lua), by the name this store runs them under. */
const SCRIPTS = {
  joinRoom: ['join-room', 5],
  leaveRoom: ['leave-room', 1],
  renameMember: ['rename-member', 1],
  roster: ['roster', 1],
  startCall: ['start-call', 3],
  joinCall: ['join-call', 2],
  leaveCall: ['leave-call', 1],
  getCall: ['get-call', 1],
  restoreMember: ['restore-member', 3],
} as const;

type ScriptName = keyof typeof SCRIPTS;
const list = (value: LuaReply | undefined): LuaReply[] => (Array.isArray(value) ? value : []);

function toRoster(value: LuaReply | undefined): Roster {
  const [roomId, version, flat] = list(value);
  const fields = list(flat);
  const members: RoomMember[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2)
    members.push({ id: String(fields[i]), username: String(fields[i + 1]) });
  return { roomId: String(roomId), version: Number(version), members };
}

function toCall(value: LuaReply | undefined): CallState | null {
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

function toDeparture(value: LuaReply | undefined): RoomDeparture | null {
  if (!Array.isArray(value)) return null;
  return { roster: toRoster(value[0]), call: toCall(value[1]) };
}

/** Multiparty rooms and calls in Redis; each change is one Lua script, atomic across replicas. */
export class RedisMultipartyState implements MultipartyState {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.prefix = keySpace(keyPrefix, 'mp');
    for (const [name, [file, numberOfKeys]] of Object.entries(SCRIPTS)) {
      redis.defineCommand(`rvm_${name}`, { numberOfKeys, lua: luaScript('multiparty', file) });
    }
  }

  /** Runs a script with its KEYS, then the multiparty prefix (for the keys it finds inside) and its ARGV. */
  private async run(name: ScriptName, keys: string[], ...args: (string | number)[]): Promise<LuaReply[]> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<LuaReply>>)[
      `rvm_${name}`
    ] as (...a: (string | number)[]) => Promise<LuaReply>;
    return list(await command.call(this.redis, ...keys, this.prefix, ...args));
  }

  private key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id}`;
  }

  async joinRoom(roomId: string, member: RoomMember, cap: number, alias = ''): Promise<JoinRoomResult> {
    const [status, roster, calls, previous] = await this.run(
      'joinRoom',
      [
        this.key('mm:', member.id),
        this.key('m:', roomId),
        this.key('mrooms'),
        this.key('mc:', roomId),
        this.key('ma:', roomId),
      ],
      roomId,
      member.id,
      member.username,
      cap,
      alias,
    );
    if (status !== 'joined') return { status: 'full' };
    return {
      status: 'joined',
      roster: toRoster(roster),
      calls: list(calls).flatMap((call) => toCall(call) ?? []),
      previous: toDeparture(previous),
    };
  }

  async leaveRoom(sessionId: string): Promise<RoomDeparture | null> {
    const [departure] = await this.run('leaveRoom', [this.key('mm:', sessionId)], sessionId);
    return toDeparture(departure);
  }

  async renameMember(sessionId: string, username: string): Promise<Roster | null> {
    const [roster] = await this.run('renameMember', [this.key('mm:', sessionId)], sessionId, username);
    return Array.isArray(roster) ? toRoster(roster) : null;
  }

  async roster(roomId: string): Promise<Roster> {
    const [roster] = await this.run('roster', [this.key('m:', roomId)], roomId);
    return toRoster(roster);
  }

  async isMember(roomId: string, sessionId: string): Promise<boolean> {
    return (await this.redis.hexists(this.key('m:', roomId), sessionId)) === 1;
  }

  async overview(limit: number): Promise<RoomOverview[]> {
    const roomIds = (await this.redis.smembers(this.key('mrooms'))).sort().slice(0, limit);
    const rosters = await this.pipelined(roomIds.map((roomId) => ['hgetall', this.key('m:', roomId)]));
    const rooms = roomIds.map((roomId, index) => ({
      roomId,
      members: Object.entries((rosters[index] ?? {}) as Record<string, string>),
    }));
    const ids = rooms.flatMap((room) => room.members.map(([id]) => id));
    const fields = await this.pipelined(ids.map((id) => ['hmget', this.key('mm:', id), 'at', 'alias']));
    const extra = new Map(ids.map((id, index) => [id, (fields[index] ?? [null, null]) as (string | null)[]]));
    return rooms
      .filter((room) => room.members.length > 0)
      .map(({ roomId, members }) => ({
        roomId,
        members: members.map(([id, username]) => {
          const [at, alias] = extra.get(id) ?? [null, null];
          return { id, username, joinedAt: at ? Number(at) : null, alias: alias ?? null };
        }),
      }));
  }

  resolveAlias(roomId: string, alias: string): Promise<string | null> {
    return this.redis.hget(this.key('ma:', roomId), alias);
  }

  async aliasesOf(sessionIds: string[]): Promise<Map<string, string>> {
    const aliases = await this.pipelined(sessionIds.map((id) => ['hget', this.key('mm:', id), 'alias']));
    const found = new Map<string, string>();
    sessionIds.forEach((id, index) => {
      const alias = aliases[index];
      if (typeof alias === 'string') found.set(id, alias);
    });
    return found;
  }

  /** Read-only commands in one round trip (every key is in the multiparty key space: one slot). */
  private async pipelined(commands: [string, ...string[]][]): Promise<unknown[]> {
    if (commands.length === 0) return [];
    const results = (await this.redis.pipeline(commands).exec()) ?? [];
    return results.map(([error, value]) => (error ? null : value));
  }

  async membership(sessionId: string): Promise<Membership | null> {
    const [roomId, callId] = await this.redis.hmget(this.key('mm:', sessionId), 'room', 'call');
    return roomId ? { roomId, callId: callId ?? null } : null;
  }

  async memberCounts(roomIds: string[]): Promise<Map<string, number>> {
    if (roomIds.length === 0) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of roomIds) pipeline.hlen(this.key('m:', id));
    const replies = (await pipeline.exec()) ?? [];
    return new Map(roomIds.map((id, index) => [id, Number(replies[index]?.[1] ?? 0)]));
  }

  async startCall(callId: string, sessionId: string, nowMs: number): Promise<StartCallResult> {
    const [status, call, previous] = await this.run(
      'startCall',
      [this.key('mm:', sessionId), this.key('c:', callId), this.key('calls')],
      callId,
      sessionId,
      nowMs,
    );
    if (status !== 'started') return { status: 'not-in-room' };
    return { status: 'started', call: toCall(call) as CallState, previous: toCall(previous) };
  }

  async joinCall(callId: string, sessionId: string): Promise<JoinCallResult> {
    const [status, call, previous] = await this.run(
      'joinCall',
      [this.key('c:', callId), this.key('mm:', sessionId)],
      callId,
      sessionId,
    );
    if (status === 'not-found' || status === 'not-in-room') return { status };
    return { status: 'joined', call: toCall(call) as CallState, previous: toCall(previous) };
  }

  async leaveCall(sessionId: string): Promise<CallState | null> {
    const [call] = await this.run('leaveCall', [this.key('mm:', sessionId)], sessionId);
    return toCall(call);
  }

  async getCall(callId: string): Promise<CallState | null> {
    const [call] = await this.run('getCall', [this.key('c:', callId)], callId);
    return toCall(call);
  }

  async restoreMember(
    roomId: string,
    member: RoomMember,
    call: { callId: string; startedBy: string; startedAt: number } | null,
  ): Promise<{ roster: Roster; call: CallState | null }> {
    const [roster, restoredCall] = await this.run(
      'restoreMember',
      [this.key('m:', roomId), this.key('mm:', member.id), this.key('mrooms')],
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
      this.redis.scard(this.key('mrooms')),
      this.redis.scard(this.key('calls')),
    ]);
    return { rooms, calls };
  }
}
