import type { RendezvousConfig } from '@rendezvous/config';
import type { Cluster, Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Allowances a client (an address, a session, a room) uses up over a window. */
export type QuotaName =
  | 'http-requests'
  | 'rooms-created'
  | 'uploads'
  | 'upload-bytes'
  | 'turn-credentials'
  | 'invites-sent'
  | 'invites-received';

/** Failures that lock a client out for a growing time once there were too many. */
export type LockoutName = 'failed-joins' | 'room-password';

/** A limit was reached: the attempt is refused, nothing of it happened. */
export class LimitExceeded extends Error {
  constructor(
    readonly limit: QuotaName | LockoutName,
    readonly retryAfterMs: number,
  ) {
    super(`Limit ${limit} reached; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'LimitExceeded';
  }

  /** A lockout after failures (`too_many_attempts`), rather than a used-up allowance (`rate_limited`). */
  get isLockout(): boolean {
    return this.limit === 'failed-joins' || this.limit === 'room-password';
  }

  /** For a Retry-After header: whole seconds, at least one. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/** What domain code asks of the limits (the port; ClientLimits below is its one implementation). */
export interface ClientLimiter {
  take(name: QuotaName, key: string, points?: number): Promise<void>;
  assertOpen(name: LockoutName, key: string): Promise<void>;
  recordFailure(name: LockoutName, key: string): Promise<void>;
}

/**
 * Runs an attempt unless one of `keys` is locked out; an attempt that `failed` judges a failure (a wrong code, a
 * wrong password) counts against every key before its error goes on to the caller.
 */
export async function attemptLimited<T>(
  limits: ClientLimiter | null,
  keys: [LockoutName, string][],
  attempt: () => Promise<T>,
  failed: (error: unknown) => boolean,
): Promise<T> {
  if (!limits) return attempt();
  await Promise.all(keys.map(([name, key]) => limits.assertOpen(name, key)));
  try {
    return await attempt();
  } catch (error) {
    if (failed(error)) await Promise.all(keys.map(([name, key]) => limits.recordFailure(name, key)));
    throw error;
  }
}

const DAY_SECONDS = 86_400;

type LimitSettings = RendezvousConfig['limits'];

/**
 * Per-client limits shared by every replica: counters in Redis (rate-limiter-flexible), in memory standalone.
 * While Redis is unreachable each replica counts on its own (an in-memory insurance limiter), so limits hold,
 * only per replica.
 */
export class ClientLimits implements ClientLimiter {
  private readonly quotas: Record<QuotaName, { limiter: RateLimiterAbstract; points: number }>;
  private readonly lockouts: Record<
    LockoutName,
    { failures: RateLimiterAbstract; lockouts: RateLimiterAbstract; points: number }
  >;

  constructor(
    private readonly settings: LimitSettings,
    private readonly redis: Redis | Cluster | null,
    private readonly keyPrefix: string,
  ) {
    const quota = (name: QuotaName, points: number, duration: number) => ({
      limiter: this.limiter(name, points, duration),
      points,
    });
    this.quotas = {
      'http-requests': quota('http-requests', settings.httpRequestsPerMinute, 60),
      'rooms-created': quota('rooms-created', settings.roomsCreatedPerHour, 3_600),
      uploads: quota('uploads', settings.uploadsPerHour, 3_600),
      'upload-bytes': quota('upload-bytes', settings.uploadBytesPerHour, 3_600),
      'turn-credentials': quota('turn-credentials', settings.turnCredentialsPerMinute, 60),
      'invites-sent': quota('invites-sent', settings.invitesPerMinutePerAddress, 60),
      'invites-received': quota('invites-received', settings.invitesReceivedPerMinute, 60),
    };
    const lockout = (name: LockoutName, points: number) => ({
      failures: this.limiter(name, points, 60),
      lockouts: this.limiter(`${name}-lockouts`, 10_000, DAY_SECONDS),
      points,
    });
    this.lockouts = {
      'failed-joins': lockout('failed-joins', settings.failedJoinsPerMinute),
      'room-password': lockout('room-password', settings.roomPasswordFailuresPerMinute),
    };
  }

  /**
   * Takes `points` of `key`'s allowance; when they are not there, throws LimitExceeded and takes nothing (so one
   * refused large upload does not use up the rest of the hour).
   */
  async take(name: QuotaName, key: string, points = 1): Promise<void> {
    const { limiter } = this.quotas[name];
    try {
      await limiter.consume(key, points);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      await limiter.reward(key, points).catch(() => undefined);
      throw new LimitExceeded(name, error.msBeforeNext);
    }
  }

  /** Throws LimitExceeded while `key` is locked out of `name` (checked before each attempt). */
  async assertOpen(name: LockoutName, key: string): Promise<void> {
    const { failures, points } = this.lockouts[name];
    const state = await failures.get(key);
    if (state && state.consumedPoints > points) throw new LimitExceeded(name, state.msBeforeNext);
  }

  /**
   * Counts one failed attempt. The one that reaches the limit locks `key` out for JOIN_LOCKOUT_SECONDS, doubled
   * for each earlier lockout of the day, at most JOIN_LOCKOUT_MAX_SECONDS.
   */
  async recordFailure(name: LockoutName, key: string): Promise<void> {
    const { failures, lockouts, points } = this.lockouts[name];
    const counted = await failures.consume(key).catch((error: unknown) => {
      if (error instanceof RateLimiterRes) return error;
      throw error;
    });
    if (counted.consumedPoints !== points) return;
    const earlier = await lockouts.consume(key).catch((error: unknown) => {
      if (error instanceof RateLimiterRes) return error;
      throw error;
    });
    const { lockoutSeconds, lockoutMaxSeconds } = this.settings;
    const seconds = Math.min(lockoutMaxSeconds, lockoutSeconds * 2 ** Math.min(20, earlier.consumedPoints - 1));
    await failures.block(key, seconds);
  }

  private limiter(name: string, points: number, duration: number): RateLimiterAbstract {
    const options = { points, duration, keyPrefix: `${this.keyPrefix}limit:${name}` };
    if (!this.redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: this.redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }
}

export const CLIENT_LIMITS = Symbol('CLIENT_LIMITS');
