import { luaScript } from './lua-scripts.js';
import { keySpace, type RedisClient } from './redis-keys.js';

/**
 * Cluster-wide guard of a periodic job: a run needs the job's `running` lock (at most one run at a time; it
 * expires after `maxRunMs`, so a crashed holder blocks nobody for longer) and its `tick` (one run per interval
 * window, never released: a second scheduler waking in the same window skips it).
 */
export interface JobLock {
  /** A token when this process may run `job` for `tick` now; null when another run has it. */
  claim(job: string, tick: number, intervalMs: number, maxRunMs: number): Promise<string | null>;
  release(job: string, token: string): Promise<void>;
}

/** Keys P{job:<job>}:running and P{job:<job>}:tick:<n>: one slot per job on Redis Cluster. */
export class RedisJobLock implements JobLock {
  private readonly scripts = { claim: luaScript('jobs', 'claim'), release: luaScript('jobs', 'release') };

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(job: string, name: string): string {
    return `${keySpace(this.prefix, `job:${job}`)}${name}`;
  }

  async claim(job: string, tick: number, intervalMs: number, maxRunMs: number): Promise<string | null> {
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const keys = [this.key(job, 'running'), this.key(job, `tick:${tick}`)];
    const claimed = await this.redis.eval(this.scripts.claim, 2, ...keys, token, maxRunMs, intervalMs * 2);
    return claimed === 1 ? token : null;
  }

  async release(job: string, token: string): Promise<void> {
    await this.redis.eval(this.scripts.release, 1, this.key(job, 'running'), token);
  }
}

/** The same guard inside one process (standalone mode). */
export class MemoryJobLock implements JobLock {
  private readonly running = new Map<string, { token: string; until: number }>();
  private readonly ticks = new Map<string, number>();

  async claim(job: string, tick: number, intervalMs: number, maxRunMs: number): Promise<string | null> {
    const now = Date.now();
    const held = this.running.get(job);
    if (held && held.until > now) return null;
    const tickKey = `${job}:${tick}`;
    if ((this.ticks.get(tickKey) ?? 0) > now) return null;
    for (const [key, until] of this.ticks) if (until <= now) this.ticks.delete(key);
    const token = Math.random().toString(36).slice(2);
    this.running.set(job, { token, until: now + maxRunMs });
    this.ticks.set(tickKey, now + intervalMs * 2);
    return token;
  }

  async release(job: string, token: string): Promise<void> {
    if (this.running.get(job)?.token === token) this.running.delete(job);
  }
}
