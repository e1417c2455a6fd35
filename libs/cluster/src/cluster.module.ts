import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { CLIENT_LIMITS, ClientLimits } from '@rendezvous/limits';
import { MULTIPARTY_STATE } from '@rendezvous/rooms';
import { FLIGHT_STORIES, LIVE_STATE_STORE } from '@rendezvous/signaling';
import { MemoryFlightStories, RedisFlightStories } from './flight-stories.store.js';
import { MemoryLiveStateStore } from './memory-live-state.store.js';
import { MemoryMultipartyState } from './memory-multiparty.state.js';
import { RedisLiveStateStore } from './redis-live-state.store.js';
import { RedisMultipartyState } from './redis-multiparty.state.js';
import { RedisConnections } from './redis.connections.js';

export const REDIS_CONNECTIONS = Symbol('REDIS_CONNECTIONS');

/** Chooses the mode: Redis connections and the Redis store when REDIS_URL is set, in-memory otherwise. */
@Global()
@Module({})
export class ClusterModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null) {}

  static forRoot(): DynamicModule {
    return {
      module: ClusterModule,
      providers: [
        {
          provide: REDIS_CONNECTIONS,
          inject: [RENDEZVOUS_CONFIG],
          useFactory: (config: RendezvousConfig) =>
            config.redis.url ? RedisConnections.open(config.redis.url, config.redis.connectTimeoutMs) : null,
        },
        {
          provide: LIVE_STATE_STORE,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null) =>
            redis ? new RedisLiveStateStore(redis.command, config.redis.keyPrefix) : new MemoryLiveStateStore(),
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
          provide: CLIENT_LIMITS,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (config: RendezvousConfig, redis: RedisConnections | null) =>
            new ClientLimits(config.limits, redis?.command ?? null, config.redis.keyPrefix),
        },
      ],
      exports: [REDIS_CONNECTIONS, LIVE_STATE_STORE, MULTIPARTY_STATE, FLIGHT_STORIES, CLIENT_LIMITS],
    };
  }

  onApplicationShutdown(): void {
    this.redis?.close();
  }
}
