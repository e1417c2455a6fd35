import { type DynamicModule, Module } from '@nestjs/common';
import { ClusterModule, MemoryJobLock, ProcessJobTimers } from '@rendezvous/cluster';
import { ConfigModule, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { IceServersService } from '@rendezvous/ice';
import { RoomExpiryTask } from '@rendezvous/jobs';
import {
  PersistenceModule,
  PrismaMultipartyRoomStore,
  PrismaService,
  PrismaTransferRoomStore,
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
import { ReadinessState } from './common/readiness.state.js';
import { DemoController } from './demo/demo.controller.js';
import { HealthController } from './health/health.controller.js';
import { TurnCredentialsController } from './ice/turn-credentials.controller.js';
import { StatusController } from './http/status.controller.js';
import { MultipartySocketDelivery } from './rooms/multiparty-delivery.js';
import { MultipartyGateway } from './rooms/multiparty.gateway.js';
import { PublicRoomsController } from './rooms/public-rooms.controller.js';
import { TransferRoomsController } from './rooms/transfer-rooms.controller.js';
import { SignalingGateway } from './signaling/signaling.gateway.js';
import { SocketDelivery } from './signaling/socket-delivery.js';

@Module({})
export class AppModule {
  /** `config` overrides the environment (e2e tests); otherwise the environment is validated at start. */
  static forRoot(config?: RendezvousConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), ClusterModule.forRoot(), PersistenceModule],
      // PublicRoomsController before TransferRoomsController: `/api/rooms/public` would match `:code`.
      controllers: [
        StatusController,
        HealthController,
        DemoController,
        TurnCredentialsController,
        PublicRoomsController,
        TransferRoomsController,
      ],
      providers: [
        ReadinessState,
        IceServersService,
        SocketDelivery,
        { provide: SIGNALING_DELIVERY, useExisting: SocketDelivery },
        SignalingService,
        SignalingGateway,
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
        MultipartySocketDelivery,
        { provide: MULTIPARTY_DELIVERY, useExisting: MultipartySocketDelivery },
        MultipartyRoomService,
        MultipartyGateway,
        {
          // Standalone, the gateway runs the cleanup jobs itself; in a cluster the scheduler app does.
          provide: RoomExpiryTask,
          inject: [RENDEZVOUS_CONFIG, PrismaService, MULTIPARTY_STATE],
          useFactory: (config: RendezvousConfig, database: PrismaService, live: MultipartyState) =>
            config.mode === 'standalone'
              ? new RoomExpiryTask(config, database.client, live, new MemoryJobLock(), new ProcessJobTimers())
              : null,
        },
      ],
    };
  }
}
