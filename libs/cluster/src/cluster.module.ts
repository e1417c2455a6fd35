import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { CLUSTER_BUS, type ClusterBus, LocalClusterBus, type OutboxPolicy } from '@rendezvous/delivery';
import { CLIENT_LIMITS, ClientLimits } from '@rendezvous/limits';
import { MULTIPARTY_STATE } from '@rendezvous/rooms';
import { FLIGHT_STORIES, LIVE_STATE, type LiveState } from '@rendezvous/signaling';
import { type ConnectionLimiter, MemoryConnectionLimiter, RedisConnectionLimiter } from './connection-limiter.js';
import { MemoryFlightStories, RedisFlightStories } from './flight-stories.store.js';
import { MemoryJobLock, RedisJobLock } from './job-lock.js';
import { createMemoryLiveState, createRedisLiveState } from './live-state/index.js';
import { MemoryMultipartyState } from './memory-multiparty.state.js';
import { RedisMultipartyState } from './redis-multiparty.state.js';
import { RedisClusterBus } from './redis-cluster-bus.js';
import { RedisConnections } from './redis.connections.js';

export const REDIS_CONNECTIONS = Symbol('REDIS_CONNECTIONS');
/** MAX_CONNECTIONS_PER_IP's counter: cluster-wide in Redis, or this process's own. */
export const CONNECTION_LIMITER = Symbol('CONNECTION_LIMITER');
/** The periodic jobs' lock: across schedulers in Redis, or in-process for a standalone gateway. */
export const JOB_LOCK = Symbol('JOB_LOCK');

/**
 * An outbox lasts as long as its session can still be taken up: the grace of a parked session, plus the time
 * before a dead replica's sessions are found and parked (events for them are queued from the first moment).
 */
function outboxPolicy(config: RendezvousConfig, live: LiveState): OutboxPolicy {
  const ttlMs = config.server.reconnectGraceMs + config.cluster.replicaTimeoutMs + config.cluster.heartbeatMs;
  return { store: live.outboxes, cap: config.server.outboxCap, ttlMs };
}

/**
 * Chooses the mode, once for every piece of shared state: Redis connections and the Redis implementations when
 * REDIS_URL or REDIS_CLUSTER_NODES is set, the in-memory twins otherwise.
 */
@Global()
@Module({})
export class ClusterModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(CONNECTION_LIMITER) private readonly connections: ConnectionLimiter,
    @Inject(CLUSTER_BUS) private readonly bus: ClusterBus,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: ClusterModule,
      providers: [
        {
          provide: REDIS_CONNECTIONS,
          inject: [RENDEZVOUS_CONFIG],
          useFactory: (config: RendezvousConfig) =>
            config.mode === 'cluster' ? RedisConnections.open(config.redis, config.cluster.replicaId) : null,
        },
        {
          provide: CLUSTER_BUS,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS, LIVE_STATE],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null, live: LiveState): ClusterBus => {
            const outbox = outboxPolicy(config, live);
            if (!redis) return new LocalClusterBus(outbox);
            const { keyPrefix } = config.redis;
            return new RedisClusterBus(redis, keyPrefix, config.cluster.replicaId, new Logger('ClusterBus'), outbox);
          },
        },
        {
          provide: LIVE_STATE,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null): LiveState =>
            redis ? createRedisLiveState(redis.command, config.redis.keyPrefix) : createMemoryLiveState(),
        },
        {
          provide: MULTIPARTY_STATE,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null) =>
            redis ? new RedisMultipartyState(redis.command, config.redis.keyPrefix) : new MemoryMultipartyState(),
        },
        {
          provide: FLIGHT_STORIES,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null) =>
            redis ? new RedisFlightStories(redis.command, config.redis.keyPrefix) : new MemoryFlightStories(),
        },
        {
          provide: CONNECTION_LIMITER,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null): ConnectionLimiter => {
            const { limits, cluster } = config;
            return redis
              ? new RedisConnectionLimiter(
                  redis.command,
                  config.redis.keyPrefix,
                  cluster.replicaId,
                  limits.connectionsPerIp,
                  cluster.replicaTimeoutMs,
                  cluster.heartbeatMs,
                  new Logger('ConnectionLimit'),
                )
              : new MemoryConnectionLimiter(limits.connectionsPerIp);
          },
        },
        {
          provide: JOB_LOCK,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null) =>
            redis ? new RedisJobLock(redis.command, config.redis.keyPrefix) : new MemoryJobLock(),
        },
        {
          provide: CLIENT_LIMITS,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null) =>
            new ClientLimits(config.limits, redis?.command ?? null, config.redis.keyPrefix),
        },
      ],
      exports: [
        REDIS_CONNECTIONS,
        CLUSTER_BUS,
        LIVE_STATE,
        MULTIPARTY_STATE,
        FLIGHT_STORIES,
        CLIENT_LIMITS,
        CONNECTION_LIMITER,
        JOB_LOCK,
      ],
    };
  }

  onApplicationShutdown(): void {
    this.connections.stop();
    this.bus.close();
    this.redis?.close();
  }
}
