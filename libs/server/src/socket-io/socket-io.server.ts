import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit } from '@nestjs/websockets';
import { REDIS_CONNECTIONS, type RedisConnections } from '@rendezvous/cluster';
import { OriginPolicy, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { RendezvousIoServer, SocketEventRouter } from '@rendezvous/transport';
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'socket.io';
import { ClientAddress } from '../common/client-address.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { MultipartyGateway } from '../rooms/multiparty.gateway.js';
import { SignalingGateway } from '../signaling/signaling.gateway.js';
import type { RendezvousServer, RendezvousSocket } from '../signaling/socket-data.js';
import { RENDEZVOUS_SHAPE, type RendezvousModuleShape, socketIoPathOf } from '../rendezvous-options.js';

type Gateway = OnGatewayInit & Partial<OnGatewayConnection & OnGatewayDisconnect>;

/**
 * Rendezvous' own Socket.IO server on the application's HTTP server, at SOCKET_IO_PATH. The gateways keep Nest's
 * gateway hooks (afterInit, handleConnection, handleDisconnect), called from here rather than through Nest's
 * WebSocket adapter, so an application that embeds RendezvousModule keeps its adapter for its own gateways.
 */
@Injectable()
export class SocketIoServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SocketIo');
  private server: RendezvousServer | null = null;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(SignalingGateway) private readonly signaling: SignalingGateway,
    @Inject(MultipartyGateway) private readonly multiparty: MultipartyGateway,
    @Inject(RENDEZVOUS_SHAPE) private readonly shape: RendezvousModuleShape,
  ) {}

  onApplicationBootstrap(): void {
    const io = new RendezvousIoServer(this.config, this.redis, new OriginPolicy(this.config), (request) =>
      this.addresses.of(request),
    );
    io.rejected = (reason) => this.metrics.rejectedConnections.inc({ reason });
    const httpServer = this.http.httpAdapter.getHttpServer() as HttpServer;
    // The plain-WebSocket protocols take every other upgrade; without them, the application's own may.
    const otherUpgrades = this.shape.plainWebSockets ? 'kept' : 'ended';
    const server = io.attach(
      httpServer,
      socketIoPathOf(this.shape, this.config),
      otherUpgrades,
    ) as unknown as RendezvousServer;
    this.server = server;
    const gateways: Gateway[] = [this.signaling, this.multiparty];
    for (const gateway of gateways) gateway.afterInit(server);
    const router = SocketEventRouter.of(server as unknown as Server);
    server.on('connection', (socket: RendezvousSocket) => {
      router.listen(socket);
      for (const gateway of gateways) {
        gateway.handleConnection?.(socket);
        if (gateway.handleDisconnect) router.onDisconnect(socket, () => gateway.handleDisconnect?.(socket));
      }
    });
    this.logger.debug(`Socket.IO at ${server.path()}`);
  }

  /**
   * Closes the connections (as a lost transport, so clients reconnect elsewhere) and the Redis adapter, as
   * Socket.IO's own close() does, but leaves the HTTP server to the application.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.engine.close();
    await server.of('/').adapter.close();
  }
}
