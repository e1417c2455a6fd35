import type { Cluster, Redis } from 'ioredis';

/** A single Redis or a Redis Cluster: the commands the stores use are the same on both. */
export type RedisClient = Redis | Cluster;

/**
 * The prefix of one key space: REDIS_KEY_PREFIX and a hash tag. On Redis Cluster only the tag is hashed, so every
 * key of a space lives in one slot and a script or MULTI over several of them stays atomic. Spaces whose keys are
 * touched together share a tag; spaces that are not (multiparty rooms, connection counts, each job's lock) have
 * their own and may live on different masters.
 */
export function keySpace(prefix: string, tag: string): string {
  return `${prefix}{${tag}}:`;
}

/** The live state's tag: sessions, presence, flights, room channels, parking and replicas share one slot. */
export const LIVE_STATE_TAG = 'live';

/** The hash of one session in the live state (for tools and tests that look at Redis directly). */
export function sessionKey(prefix: string, sessionId: string): string {
  return `${keySpace(prefix, LIVE_STATE_TAG)}s:${sessionId}`;
}
