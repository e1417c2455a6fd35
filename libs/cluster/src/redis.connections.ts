import { withTimeout } from '@rendezvous/observability';
import { Logger } from '@nestjs/common';
import { redisDescription, type RendezvousConfig } from '@rendezvous/config';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-keys.js';
import { ShardedSubscriptionProbe } from './sharded-subscription-probe.js';
import { TurnBatchedCluster, TurnBatchedRedis } from './turn-batched-clients.js';

/**
 * Retry forever with a short capped backoff: a restarting Redis must never take a replica down, and a replica
 * must be back within a second of Redis (every attempt is one connect to a loopback or in-cluster address).
 */
const retryStrategy = (attempt: number) => Math.min(50 * attempt, 200);

/**
 * RESP2, as ioredis 5 spoke: ioredis 6 defaults to RESP3 (one HELLO more per connect, nothing gained here), and
 * RESP2 also serves a Redis older than 6.
 */
const PROTOCOL = 2;

/**
 * The three ioredis connections a replica holds: commands (live state), publish and subscribe (Socket.IO adapter),
 * to one Redis (REDIS_URL) or to a Redis Cluster (REDIS_CLUSTER_NODES).
 * Commands fail fast while Redis is down (no offline queue), so a client gets an error instead of a hang.
 * The subscriber keeps its queue: subscriptions made during an outage are sent once Redis is back.
 */
export class RedisConnections {
  private readonly logger = new Logger('Redis');
  private wasReady = false;
  private readonly reconnectListeners: (() => void)[] = [];
  /** Redis Cluster only: whether the sharded subscriptions answer on every master. */
  private probe: ShardedSubscriptionProbe | null = null;
  private closed = false;
  errors = 0;
  reconnects = 0;

  private constructor(
    readonly command: RedisClient,
    readonly pub: RedisClient,
    readonly sub: RedisClient,
  ) {
    for (const [role, client] of [
      ['command', command],
      ['pub', pub],
      ['sub', sub],
    ] as const) {
      client.on('error', (error: Error) => {
        this.errors++;
        this.logger.warn(`${role} connection: ${error.message}`);
      });
    }
    command.on('ready', () => {
      if (this.wasReady) {
        this.reconnects++;
        this.logger.log('Redis connection restored');
        this.probe?.check();
        for (const listener of this.reconnectListeners) listener();
      }
      this.wasReady = true;
    });
  }

  /** Connects all three clients, retrying until REDIS_CONNECT_TIMEOUT_MS; then the start fails, naming the settings. */
  static async open(redis: RendezvousConfig['redis'], replicaId: string): Promise<RedisConnections> {
    const { connectTimeoutMs } = redis;
    const connections =
      redis.clusterNodes.length > 0
        ? RedisConnections.toCluster(redis.clusterNodes, connectTimeoutMs)
        : RedisConnections.toOne(redis.url ?? '', connectTimeoutMs);
    const { command, pub, sub } = connections;
    if (pub instanceof Cluster && sub instanceof Cluster) {
      connections.probe = new ShardedSubscriptionProbe(pub, sub, redis.keyPrefix, replicaId, connections.logger);
    }
    let lastError = 'no answer';
    const onError = (error: Error) => {
      lastError = error.message || String(error);
    };
    command.on('error', onError);
    try {
      await withTimeout(
        Promise.all([command, pub, sub].map((client) => whenReady(client))).then(() => connections.probed()),
        connectTimeoutMs,
        'timeout',
      );
    } catch {
      connections.close();
      const variable = redis.clusterNodes.length > 0 ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
      throw new Error(
        `Cannot reach ${redisDescription(redis)} (${variable}) within REDIS_CONNECT_TIMEOUT_MS=${connectTimeoutMs} ms: ${lastError}`,
      );
    } finally {
      command.off('error', onError);
    }
    return connections;
  }

  private static toOne(url: string, connectTimeoutMs: number): RedisConnections {
    const base = {
      retryStrategy,
      protocol: PROTOCOL,
      connectTimeout: Math.min(connectTimeoutMs, 5_000),
    } satisfies RedisOptions;
    // Commands and publishes of one event-loop turn leave in one write (no auto-pipelining: it measured as 2x
    // the p99 relay latency, holding commands back in a pipeline object).
    const command = new TurnBatchedRedis(url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const pub = new TurnBatchedRedis(url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const sub = new Redis(url, { ...base, maxRetriesPerRequest: null });
    return new RedisConnections(command, pub, sub);
  }

  /**
   * Startup nodes from their URLs; the first URL's credentials and scheme (rediss: = TLS) apply to every node the
   * cluster reports. The subscriber holds one connection per master for the sharded adapter's SSUBSCRIBE.
   */
  private static toCluster(urls: string[], connectTimeoutMs: number): RedisConnections {
    const nodes = urls.map((entry) => {
      const url = new URL(entry);
      return { host: url.hostname, port: Number(url.port || 6379) };
    });
    const first = new URL(urls[0] as string);
    const redisOptions = {
      protocol: PROTOCOL,
      connectTimeout: Math.min(connectTimeoutMs, 5_000),
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    } satisfies ClusterOptions['redisOptions'];
    const options = (maxRetriesPerRequest: number | null, offlineQueue: boolean) =>
      ({
        clusterRetryStrategy: retryStrategy,
        enableOfflineQueue: offlineQueue,
        redisOptions: { ...redisOptions, maxRetriesPerRequest },
      }) satisfies ClusterOptions;
    const command = new TurnBatchedCluster(nodes, options(1, false));
    const pub = new TurnBatchedCluster(nodes, options(1, false));
    const sub = new Cluster(nodes, { ...options(null, true), shardedSubscribers: true });
    return new RedisConnections(command, pub, sub);
  }

  /** Redis Cluster: runs each time the sharded subscriptions are confirmed again; subscribers renew theirs. */
  onSubscriptionsConfirmed(listener: () => void): void {
    this.probe?.onConfirmed(listener);
  }

  /** Runs after Redis came back from an outage (its data may be gone). */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  isReady(): boolean {
    return this.notReady() === null;
  }

  /** What keeps this replica from Redis (for readiness and the operator), or null when all is up. */
  notReady(): string | null {
    const down = (['command', 'pub', 'sub'] as const).filter((role) => this[role].status !== 'ready');
    if (down.length > 0) {
      return `Redis connections not ready: ${down.map((role) => `${role} ${this[role].status}`).join(', ')}`;
    }
    if (this.probe && !this.probe.isConfirmed) return 'Redis Cluster sharded subscriptions not confirmed yet';
    return null;
  }

  /** Resolves once the first probe passed (at once for one Redis). */
  private async probed(): Promise<void> {
    const probe = this.probe;
    if (!probe) return;
    probe.check();
    while (!probe.isConfirmed && !this.closed) await new Promise((resolve) => setTimeout(resolve, 25));
  }

  close(): void {
    this.closed = true;
    this.probe?.stop();
    for (const client of [this.command, this.pub, this.sub]) client.disconnect(false);
  }
}

function whenReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}
