import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import {
  ClusterModule,
  JOB_TIMERS,
  type JobTimers,
  MemoryJobLock,
  REDIS_CONNECTIONS,
  RedisConnections,
  RedisJobLock,
} from '@rendezvous/cluster';
import { ConfigModule, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { RoomExpiryTask } from '@rendezvous/jobs';
import { PersistenceModule, PrismaService } from '@rendezvous/persistence';
import { MULTIPARTY_STATE, type MultipartyState } from '@rendezvous/rooms';

export const JOB_LOCK = Symbol('JOB_LOCK');

/** The scheduler: no public HTTP, only the cleanup jobs, each guarded by a lock in Redis. */
@Module({})
export class SchedulerModule {
  static forRoot(config?: RendezvousConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [ConfigModule.forRoot(config), ClusterModule.forRoot(), PersistenceModule, ScheduleModule.forRoot()],
      providers: [
        {
          provide: JOB_LOCK,
          inject: [RENDEZVOUS_CONFIG, REDIS_CONNECTIONS],
          useFactory: (settings: RendezvousConfig, redis: RedisConnections | null) =>
            redis ? new RedisJobLock(redis.command, settings.redis.keyPrefix) : new MemoryJobLock(),
        },
        {
          provide: JOB_TIMERS,
          inject: [SchedulerRegistry],
          useFactory: (registry: SchedulerRegistry): JobTimers => ({
            every: (name, intervalMs, tick) => registry.addInterval(name, setInterval(tick, intervalMs)),
          }),
        },
        {
          provide: RoomExpiryTask,
          inject: [RENDEZVOUS_CONFIG, PrismaService, MULTIPARTY_STATE, JOB_LOCK, JOB_TIMERS],
          useFactory: (
            settings: RendezvousConfig,
            database: PrismaService,
            live: MultipartyState,
            lock: RedisJobLock | MemoryJobLock,
            timers: JobTimers,
          ) => new RoomExpiryTask(settings, database.client, live, lock, timers),
        },
      ],
    };
  }
}
