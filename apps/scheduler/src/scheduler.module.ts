import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import {
  ClusterModule,
  type JobLock,
  JOB_LOCK,
  publishExpiredRooms,
  REDIS_CONNECTIONS,
  RedisConnections,
} from '@rendezvous/cluster';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from '@rendezvous/observability';
import { ConfigModule, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { LoggingModule } from '@rendezvous/logging';
import {
  PeriodicJob,
  PREVIEW_CLEANUP_JOB,
  previewCleanupJob,
  ROOM_EXPIRY_JOB,
  roomExpiryJob,
  JOB_TIMERS,
  JobMetrics,
  type JobTimers,
} from '@rendezvous/jobs';
import { createPreviewStorage, PREVIEW_STORAGE, type PreviewStorage } from '@rendezvous/uploads';
import { PersistenceModule, PrismaService } from '@rendezvous/persistence';
import { type ExpiredRoomsNotice, MULTIPARTY_STATE, type MultipartyState } from '@rendezvous/rooms';
import type { Registry } from 'prom-client';
import { SchedulerHealthController } from './scheduler-health.controller.js';

/** The scheduler: no public HTTP, only the cleanup jobs (room expiry, preview cleanup), each guarded by Redis locks. */
@Module({})
export class SchedulerModule {
  static forRoot(config?: RendezvousConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('scheduler'),
        ClusterModule.forRoot(),
        PersistenceModule,
        ScheduleModule.forRoot(),
      ],
      controllers: [SchedulerHealthController, MetricsController],
      providers: [
        { provide: METRICS_REGISTRY, useFactory: createMetricsRegistry },
        {
          provide: JobMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => new JobMetrics(registry),
        },
        {
          provide: JOB_TIMERS,
          inject: [SchedulerRegistry],
          useFactory: (registry: SchedulerRegistry): JobTimers => ({
            every: (name, intervalMs, tick) => registry.addInterval(name, setInterval(tick, intervalMs)),
          }),
        },
        {
          provide: PREVIEW_STORAGE,
          inject: [RENDEZVOUS_CONFIG],
          useFactory: (settings: RendezvousConfig) => createPreviewStorage(settings),
        },
        {
          provide: ROOM_EXPIRY_JOB,
          inject: [
            RENDEZVOUS_CONFIG,
            PrismaService,
            MULTIPARTY_STATE,
            JOB_LOCK,
            JOB_TIMERS,
            REDIS_CONNECTIONS,
            JobMetrics,
          ],
          useFactory: (
            settings: RendezvousConfig,
            database: PrismaService,
            live: MultipartyState,
            lock: JobLock,
            timers: JobTimers,
            redis: RedisConnections | null,
            metrics: JobMetrics,
          ) => {
            // Without Redis there is no gateway to tell: standalone gateways run room expiry themselves.
            const notice: ExpiredRoomsNotice = redis
              ? publishExpiredRooms(redis, settings.redis.keyPrefix, new Logger('Jobs'))
              : async () => undefined;
            return new PeriodicJob(roomExpiryJob(settings, database.client, live, notice), lock, timers, metrics);
          },
        },
        {
          provide: PREVIEW_CLEANUP_JOB,
          inject: [RENDEZVOUS_CONFIG, PrismaService, PREVIEW_STORAGE, JOB_LOCK, JOB_TIMERS, JobMetrics],
          useFactory: (
            settings: RendezvousConfig,
            database: PrismaService,
            storage: PreviewStorage,
            lock: JobLock,
            timers: JobTimers,
            metrics: JobMetrics,
          ) => new PeriodicJob(previewCleanupJob(settings, database.client, storage), lock, timers, metrics),
        },
      ],
    };
  }
}
