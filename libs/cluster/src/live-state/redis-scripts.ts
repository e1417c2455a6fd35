import type { RemovedSession, SessionRecord } from '@rendezvous/signaling';
import { type LuaReply, luaScript } from '../lua-scripts.js';
import { keySpace, LIVE_STATE_TAG, type RedisClient } from '../redis-keys.js';
import { parseLeave } from './redis-replies.js';

/*
 * Key layout (P = REDIS_KEY_PREFIX followed by the hash tag `{live}:`, so that on Redis Cluster every key of the
 * live state is in one slot and each script's decision stays atomic):
 *   P s:<session>     hash  name, replica, address, group, flight
 *   P r:<replica>     set   session ids connected to that replica
 *   P replicas        zset  replica id -> last heartbeat (ms)
 *   P n:<group>       hash  session id -> "<busy 0|1><name>" (presence of one network)
 *   P f:<code>        hash  room (the flight token), members ("id" or "id id"); PEXPIRE while not full
 *   P flights         zset  code -> expiry ms (+inf while full), for counting
 *   P reap:<replica>  string lock taken by the survivor that reaps a dead replica
 *   P parked          zset  session id -> end of its resume grace (ms): sessions of a drained or dead replica
 *                     (every session's hash holds `resume`, the digest of its client's resume credential,
 *                     and `held` once a replica is subscribed for it)
 *   P o:<session>     list  its outbox: encoded messages no replica could deliver yet, oldest first
 * Scripts (lua/live-state/*.lua, each with a header naming its KEYS, ARGV and reply) take the keys they know
 * before they run as KEYS; keys they find inside (a flight member's session, a network) carry the same tag.
 */

/** The scripts (libs/cluster/src/lua/live-state/<file>.lua) by the name the stores run them under, with their KEYS count. */
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
  restoreSession: ['restore-session', 4],
  append: ['outbox-append', 2],
  take: ['outbox-take', 2],
} as const;
export type ScriptName = keyof typeof SCRIPTS;

/** The cluster live state's Redis connection, keys and scripts, shared by its role stores. */
export class RedisLiveStateScripts {
  private readonly prefix: string;

  constructor(
    readonly redis: RedisClient,
    keyPrefix: string,
  ) {
    this.prefix = keySpace(keyPrefix, LIVE_STATE_TAG);
    for (const [name, [file, numberOfKeys]] of Object.entries(SCRIPTS)) {
      redis.defineCommand(`rv_${name}`, { numberOfKeys, lua: luaScript('live-state', file) });
    }
  }

  /** Runs a script with its KEYS, then the live-state prefix (for the keys it finds inside) and its ARGV. */
  run(name: ScriptName, keys: string[], ...args: (string | number)[]): Promise<LuaReply> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<LuaReply>>)[
      `rv_${name}`
    ] as (...a: (string | number)[]) => Promise<LuaReply>;
    return command.call(this.redis, ...keys, this.prefix, ...args);
  }

  /** `run` with Buffer replies (binary messages). */
  runBuffer(name: ScriptName, keys: string[], ...args: (string | number)[]): Promise<unknown> {
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[
      `rv_${name}Buffer`
    ] as (...a: (string | number)[]) => Promise<unknown>;
    return command.call(this.redis, ...keys, this.prefix, ...args);
  }

  key(kind: string, id = ''): string {
    return `${this.prefix}${kind}${id}`;
  }

  flightKeys(sessionId: string, code: string): string[] {
    return [this.key('s:', sessionId), this.key('f:', code), this.key('flights')];
  }

  async register(session: SessionRecord, resumeDigest: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key('s:', session.id), {
        name: session.name,
        replica: session.replicaId,
        address: session.address,
        group: session.group,
        resume: resumeDigest,
      })
      .sadd(this.key('r:', session.replicaId), session.id)
      .hset(this.key('n:', session.group), session.id, `0${session.name}`)
      .exec();
  }

  /** Removes a session (leaving its flight): only while parked, only while `owner` holds it, or in any case. */
  async remove(
    id: string,
    flightTtlMs: number,
    nowMs: number,
    only: { parked: true } | { owner: string } | null,
  ): Promise<RemovedSession | null> {
    const reply = (await this.run(
      'remove',
      [this.key('s:', id), this.key('parked'), this.key('flights')],
      id,
      flightTtlMs,
      nowMs,
      only && 'parked' in only ? '1' : '0',
      only && 'owner' in only ? only.owner : '',
    )) as LuaReply[] | null;
    if (!reply) return null;
    const [name, replicaId, address, group] = reply.map(String) as [string, string, string, string];
    const flight = reply.length > 4 ? parseLeave(reply.slice(4)) : null;
    return { session: { id, name, replicaId, address, group }, flight };
  }
}
