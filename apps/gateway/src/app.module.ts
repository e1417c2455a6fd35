import { ConnectionRegistry, RoomDelivery, SessionDelivery } from '@rendezvous/delivery';
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ClusterModule, JOB_LOCK, type JobLock } from '@rendezvous/cluster';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from '@rendezvous/observability';
import { ConfigModule, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { IceServersService } from '@rendezvous/ice';
import { LoggingModule, LogsController } from '@rendezvous/logging';
import {
  PeriodicJob,
  PREVIEW_CLEANUP_JOB,
  previewCleanupJob,
  ROOM_EXPIRY_JOB,
  roomExpiryJob,
  ProcessJobTimers,
} from '@rendezvous/jobs';
import {
  createPreviewStorage,
  createPreviewUploadRoute,
  PREVIEW_STORAGE,
  PREVIEW_UPLOAD_ROUTE,
  type PreviewStorage,
} from '@rendezvous/uploads';
import {
  PersistenceModule,
  PrismaMultipartyRoomStore,
  PrismaService,
  PrismaTransferRoomStore,
  PrismaUploadedFileStore,
} from '@rendezvous/persistence';
import {
  MULTIPARTY_DELIVERY,
  MULTIPARTY_ROOM_STORE,
  MULTIPARTY_STATE,
  type MultipartyState,
  MultipartyRoomService,
  RoomAttachmentService,
  TransferRoomService,
} from '@rendezvous/rooms';
import { SIGNALING_DELIVERY, SignalingService } from '@rendezvous/signaling';
import {
  Drain,
  FlightSessions,
  ReadinessState,
  ReplicaLifecycle,
  RoomSessions,
  SESSION_METRICS,
  SessionLifecycle,
  SessionResumption,
} from '@rendezvous/sessions';
import { DemoController } from './demo/demo.controller.js';
import { HealthController } from './health/health.controller.js';
import { TurnCredentialsController } from './ice/turn-credentials.controller.js';
import { StatusController } from './http/status.controller.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { ApiRequestLimit, LimitExceededFilter } from './http/http-limits.js';
import { ClientAddress } from './common/client-address.js';
import { ForeignOriginWrites } from './http/foreign-origin-writes.js';
import { ExpiredRoomsListener } from './rooms/expired-rooms.listener.js';
import { MultipartyGateway } from './rooms/multiparty.gateway.js';
import { PublicRoomsController } from './rooms/public-rooms.controller.js';
import { TransferRoomsController } from './rooms/transfer-rooms.controller.js';
import { UploadThingController } from './uploads/uploadthing.controller.js';
import { UploadsController } from './uploads/uploads.controller.js';
import { SignalRelay } from './signaling/signal-relay.js';
import { SocketSessions } from './signaling/socket-sessions.js';
import { SignalingGateway } from './signaling/signaling.gateway.js';
import { CamusBinding } from './plain-ws/camus.binding.js';
import { DropSilkBinding } from './plain-ws/dropsilk.binding.js';
import { GenericWsBinding } from './plain-ws/generic.binding.js';
import { GenericStatusController } from './http/generic-status.controller.js';
import { PlainWebSockets } from './plain-ws/plain-ws.server.js';
import { HandshakeChecks } from './signaling/handshake-checks.js';

@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ForeignOriginWrites).forRoutes('*path');
    consumer.apply(ApiRequestLimit).forRoutes('api/*path');
  }

  /** `config` overrides the environment (e2e tests); otherwise the environment is validated at start. */
  static forRoot(config?: RendezvousConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot('gateway'),
        ClusterModule.forRoot(),
        PersistenceModule,
      ],
      // PublicRoomsController before TransferRoomsController: `/api/rooms/public` would match `:code`.
      controllers: [
        StatusController,
        HealthController,
        GenericStatusController,
        DemoController,
        TurnCredentialsController,
        MetricsController,
        LogsController,
        UploadsController,
        UploadThingController,
        PublicRoomsController,
        TransferRoomsController,
      ],
      providers: [
        ReadinessState,
        ClientAddress,
        { provide: APP_FILTER, useClass: LimitExceededFilter },
        { provide: METRICS_REGISTRY, useFactory: createMetricsRegistry },
        GatewayMetrics,
        { provide: SESSION_METRICS, useExisting: GatewayMetrics },
        IceServersService,
        ConnectionRegistry,
        SessionDelivery,
        { provide: SIGNALING_DELIVERY, useExisting: SessionDelivery },
        SignalingService,
        SessionLifecycle,
        SessionResumption,
        FlightSessions,
        RoomSessions,
        ReplicaLifecycle,
        Drain,
        HandshakeChecks,
        SocketSessions,
        SignalRelay,
        SignalingGateway,
        DropSilkBinding,
        CamusBinding,
        GenericWsBinding,
        PlainWebSockets,
        {
          provide: TransferRoomService,
          inject: [PrismaService, RENDEZVOUS_CONFIG],
          useFactory: (database: PrismaService, config: RendezvousConfig) =>
            new TransferRoomService(new PrismaTransferRoomStore(database.client), config.rooms.ttlMs),
        },
        RoomAttachmentService,
        {
          provide: MULTIPARTY_ROOM_STORE,
          inject: [PrismaService],
          useFactory: (database: PrismaService) => new PrismaMultipartyRoomStore(database.client),
        },
        RoomDelivery,
        { provide: MULTIPARTY_DELIVERY, useExisting: RoomDelivery },
        MultipartyRoomService,
        MultipartyGateway,
        ExpiredRoomsListener,
        {
          provide: PREVIEW_STORAGE,
          inject: [RENDEZVOUS_CONFIG],
          useFactory: (config: RendezvousConfig) => createPreviewStorage(config),
        },
        {
          provide: PrismaUploadedFileStore,
          inject: [PrismaService],
          useFactory: (database: PrismaService) => new PrismaUploadedFileStore(database.client),
        },
        {
          provide: PREVIEW_UPLOAD_ROUTE,
          inject: [RENDEZVOUS_CONFIG, PrismaUploadedFileStore],
          useFactory: (config: RendezvousConfig, files: PrismaUploadedFileStore) =>
            createPreviewUploadRoute(config, files),
        },
        // Standalone, the gateway runs the cleanup jobs itself (JOB_LOCK is in-process then); in a cluster the
        // scheduler does.
        {
          provide: ROOM_EXPIRY_JOB,
          inject: [RENDEZVOUS_CONFIG, PrismaService, MULTIPARTY_STATE, JOB_LOCK, FlightSessions],
          useFactory: (
            config: RendezvousConfig,
            database: PrismaService,
            live: MultipartyState,
            localLock: JobLock,
            flights: FlightSessions,
          ) =>
            config.mode === 'standalone'
              ? new PeriodicJob(
                  // Every attached client is on this replica: it is told directly.
                  roomExpiryJob(config, database.client, live, (codes) => flights.closeExpiredRooms(codes)),
                  localLock,
                  new ProcessJobTimers(),
                )
              : null,
        },
        {
          provide: PREVIEW_CLEANUP_JOB,
          inject: [RENDEZVOUS_CONFIG, PrismaService, PREVIEW_STORAGE, JOB_LOCK],
          useFactory: (
            config: RendezvousConfig,
            database: PrismaService,
            storage: PreviewStorage,
            localLock: JobLock,
          ) =>
            config.mode === 'standalone'
              ? new PeriodicJob(previewCleanupJob(config, database.client, storage), localLock, new ProcessJobTimers())
              : null,
        },
      ],
    };
  }
}
