import type { Logger } from '@nestjs/common';
import { luaScript } from './lua-scripts.js';
import { keySpace, type RedisClient } from './redis-keys.js';

/** Counts open connections per client address and refuses one over the limit. */
export interface ConnectionLimiter {
  /** Takes a slot for `address`; false when the address already holds `limit` connections. */
  acquire(address: string): Promise<boolean>;
  release(address: string): Promise<void>;
  stop(): void;
}

/** Standalone: this process is the whole cluster. */
export class MemoryConnectionLimiter implements ConnectionLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit: number) {}

  async acquire(address: string): Promise<boolean> {
    const count = this.open.get(address) ?? 0;
    if (count >= this.limit) return false;
    this.open.set(address, count + 1);
    return true;
  }

  async release(address: string): Promise<void> {
    const count = (this.open.get(address) ?? 0) - 1;
    if (count > 0) this.open.set(address, count);
    else this.open.delete(address);
  }

  stop(): void {}
}

/**
 * Cluster-wide: each replica keeps its own counts per address in one hash that expires unless the replica keeps
 * it alive, so a replica that dies stops counting within REPLICA_TIMEOUT_MS without anyone cleaning up after it.
 * While Redis does not answer, connections are let in (availability first) and a warning is logged.
 * Keys: P{ipconn}:<replica> (hash address -> count) and P{ipconn}:replicas (set), one slot on Redis Cluster.
 */
export class RedisConnectionLimiter implements ConnectionLimiter {
  private readonly timer: NodeJS.Timeout;
  private readonly prefix: string;
  private readonly ownKey: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly replicaId: string,
    private readonly limit: number,
    private readonly ttlMs: number,
    heartbeatMs: number,
    private readonly logger: Logger,
  ) {
    // Replica ids may not contain braces (REPLICA_ID), so the tag stays the space's.
    this.prefix = keySpace(keyPrefix, 'ipconn');
    this.ownKey = `${this.prefix}${replicaId}`;
    redis.defineCommand('rv_ipconn_acquire', { numberOfKeys: 2, lua: luaScript('connections', 'acquire') });
    redis.defineCommand('rv_ipconn_release', { numberOfKeys: 1, lua: luaScript('connections', 'release') });
    this.timer = setInterval(() => {
      redis.pexpire(this.ownKey, ttlMs).catch(() => undefined);
    }, heartbeatMs);
    this.timer.unref();
  }

  private command(name: string, ...args: (string | number)[]): Promise<number> {
    const run = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<number>>)[name]!;
    return run.call(this.redis, ...args);
  }

  async acquire(address: string): Promise<boolean> {
    try {
      const taken = await this.command(
        'rv_ipconn_acquire',
        `${this.prefix}replicas`,
        this.ownKey,
        this.prefix,
        this.replicaId,
        address,
        this.limit,
        this.ttlMs,
      );
      return taken === 1;
    } catch (error) {
      this.logger.warn(`Connection limit not checked (${(error as Error).message}); letting ${address} in`);
      return true;
    }
  }

  async release(address: string): Promise<void> {
    await this.command('rv_ipconn_release', this.ownKey, address).catch(() => undefined);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
