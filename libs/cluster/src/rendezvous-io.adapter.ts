import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { RendezvousConfig } from '@rendezvous/config';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { createGuardedParser } from './guarded-parser.js';
import type { RedisConnections } from './redis.connections.js';
import { SocketEventRouter } from './socket-event-router.js';

/** Frames this much over MAX_PAYLOAD_BYTES are cut at the transport (close 1009) instead of answered. */
const hardLimit = (maxPayloadBytes: number) => maxPayloadBytes * 2 + 4096;

/**
 * Socket.IO adapter for both modes: in-memory when standalone, the Redis adapter (sharded Pub/Sub with one
 * channel per room, chosen by measurement: docs/BENCHMARKS.md) when clustered.
 *
 * It also binds message handlers without Nest's per-socket RxJS pipelines, through one SocketEventRouter per
 * server (one shared listener per socket), which keeps idle sockets small and the relay path short.
 */
export class RendezvousIoAdapter extends IoAdapter {
  private readonly log = new Logger('SocketIo');

  constructor(
    app: INestApplicationContext,
    private readonly config: RendezvousConfig,
    private readonly redis: RedisConnections | null,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const { server: serverConfig } = this.config;
    const server = super.createIOServer(port, {
      ...(options as ServerOptions),
      transports: serverConfig.transports,
      pingInterval: serverConfig.pingIntervalMs,
      pingTimeout: serverConfig.pingTimeoutMs,
      maxHttpBufferSize: hardLimit(serverConfig.maxPayloadBytes),
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      cleanupEmptyChildNamespaces: true,
      parser: createGuardedParser(serverConfig.maxPayloadBytes),
    }) as Server;
    SocketEventRouter.attach(server, this.log);
    if (this.redis) {
      const { pub, sub } = this.redis;
      server.adapter(
        this.config.redis.adapter === 'sharded'
          ? createShardedAdapter(pub, sub, {
              channelPrefix: `${this.config.redis.keyPrefix}io`,
              subscriptionMode: 'dynamic-private',
            })
          : createAdapter(pub, sub, { key: `${this.config.redis.keyPrefix}io` }),
      );
      this.log.log(`Socket.IO Redis adapter: ${this.config.redis.adapter}`);
    }
    return server;
  }

  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    void transform;
    SocketEventRouter.of(socket.nsp.server).bindNestHandlers(socket, handlers);
  }
}
