import { ConnectionRegistry, RoomDelivery, SessionDelivery } from '@rendezvous/delivery';
import {
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Provider,
  type Type,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
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
import { ApiRequestLimit } from './http/http-limits.js';
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
import { SocketIoServer } from './socket-io/socket-io.server.js';
import {
  type RendezvousModuleAsyncOptions,
  type RendezvousModuleOptions,
  type RendezvousModuleShape,
  resolveModuleConfig,
  RENDEZVOUS_SHAPE,
} from './rendezvous-options.js';

// PublicRoomsController before TransferRoomsController: `/api/rooms/public` would match `:code`.
const HTTP_CONTROLLERS = [
  StatusController,
  HealthController,
  GenericStatusController,
  DemoController,
  MetricsController,
  TurnCredentialsController,
  UploadsController,
  UploadThingController,
  PublicRoomsController,
  TransferRoomsController,
];

/** The HTTP routes' prefix without slashes ('' at the root). */
const routePrefix = (shape: RendezvousModuleShape): string =>
  shape.http ? (shape.http.prefix ?? '').replace(/^\/+|\/+$/g, '') : '';

/** Every provider of an embedded Rendezvous: sessions, flights, rooms, the Socket.IO and plain-WebSocket bindings. */
const PROVIDERS: Provider[] = [
  ReadinessState,
  ClientAddress,
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
  SocketIoServer,
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
    useFactory: (config: RendezvousConfig, files: PrismaUploadedFileStore) => createPreviewUploadRoute(config, files),
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
    useFactory: (config: RendezvousConfig, database: PrismaService, storage: PreviewStorage, localLock: JobLock) =>
      config.mode === 'standalone'
        ? new PeriodicJob(previewCleanupJob(config, database.client, storage), localLock, new ProcessJobTimers())
        : null,
  },
];

/**
 * Rendezvous inside a Nest application: Socket.IO signaling (flights, presence, transfer and multiparty rooms,
 * calls) on the application's HTTP server, the HTTP API, and the cleanup jobs when standalone. It installs nothing
 * global beyond what its options ask for: no WebSocket adapter, filter, pipe or CORS policy of the application's
 * changes; JSON logging only with `logging: 'json'`. The standalone gateway (apps/gateway) is this module.
 */
@Module({})
export class RendezvousModule implements NestModule {
  constructor(@Inject(RENDEZVOUS_SHAPE) private readonly shape: RendezvousModuleShape) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.shape.http === false) return;
    const prefix = routePrefix(this.shape);
    consumer.apply(ForeignOriginWrites).forRoutes(...this.controllers());
    // Every route under api/, those of the module's controllers and the /api/status family alike.
    consumer.apply(ApiRequestLimit).forRoutes(prefix ? `${prefix}/api/*path` : 'api/*path');
  }

  static forRoot(options: RendezvousModuleOptions & RendezvousModuleShape = {}): DynamicModule {
    return RendezvousModule.build(ConfigModule.forRoot(resolveModuleConfig(options)), options);
  }

  static forRootAsync(options: RendezvousModuleAsyncOptions): DynamicModule {
    const config = ConfigModule.forRootAsync({
      imports: options.imports ?? [],
      inject: options.inject ?? [],
      useFactory: async (...args: never[]) => resolveModuleConfig(await options.useFactory(...args)),
    });
    return RendezvousModule.build(config, options);
  }

  private controllers(): Type[] {
    return RendezvousModule.controllersFor(this.shape);
  }

  private static controllersFor(shape: RendezvousModuleShape): Type[] {
    if (shape.http === false) return [];
    return shape.logging === 'json' ? [...HTTP_CONTROLLERS, LogsController] : HTTP_CONTROLLERS;
  }

  private static build(config: DynamicModule, shape: RendezvousModuleShape): DynamicModule {
    const prefix = routePrefix(shape);
    return {
      module: RendezvousModule,
      imports: [
        config,
        ...(shape.logging === 'json' ? [LoggingModule.forRoot('gateway')] : []),
        ClusterModule.forRoot(),
        PersistenceModule,
        ...(prefix ? [RouterModule.register([{ path: prefix, module: RendezvousModule }])] : []),
      ],
      controllers: RendezvousModule.controllersFor(shape),
      providers: [{ provide: RENDEZVOUS_SHAPE, useValue: shape }, ...PROVIDERS],
      exports: [SessionLifecycle, FlightSessions, RoomSessions, MultipartyRoomService, TransferRoomService, Drain],
    };
  }
}
