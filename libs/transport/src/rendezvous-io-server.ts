import { Logger } from '@nestjs/common';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { INVALID_ORIGIN_MESSAGE, type OriginPolicy, type RendezvousConfig } from '@rendezvous/config';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server } from 'socket.io';
import { createGuardedParser } from './guarded-parser.js';
import type { RedisConnections } from '@rendezvous/cluster';
import { SocketEventRouter } from './socket-event-router.js';

const TOO_MANY_CONNECTIONS_MESSAGE = 'Too many connections from your address';

/** Frames this much over MAX_PAYLOAD_BYTES are cut at the transport (close 1009) instead of answered. */
const hardLimit = (maxPayloadBytes: number) => maxPayloadBytes * 2 + 4096;

/**
 * Rendezvous' Socket.IO server on an HTTP server it shares (the application's), for both modes: the in-memory
 * adapter when standalone, the Redis adapter (sharded Pub/Sub with one channel per room, chosen by measurement:
 * docs/BENCHMARKS.md) when clustered. It is not Nest's WebSocket adapter: the application keeps its own for its
 * own gateways. Client events go through one SocketEventRouter per server (one shared listener per socket, no
 * per-socket RxJS pipelines), which keeps idle sockets small and the relay path short.
 */
export class RendezvousIoServer {
  private readonly log = new Logger('SocketIo');

  constructor(
    private readonly config: RendezvousConfig,
    private readonly redis: RedisConnections | null,
    private readonly origins: OriginPolicy,
    /** The client address of a request (X-Forwarded-For from trusted proxies), as the gateway resolves it. */
    private readonly addressOf: (request: IncomingMessage) => string,
  ) {}

  /**
   * Handshakes from origins we do not trust are refused before a socket exists: 403 "Forbidden: Invalid Origin".
   * So is an address that already holds MAX_CONNECTIONS_PER_IP Engine.IO connections on this replica, counted
   * from the transport's handshake on: connections that never finish Socket.IO's own handshake count too (and are
   * closed after HANDSHAKE_TIMEOUT_MS), so they cannot get around the cluster-wide limit.
   */
  private allowRequest(request: IncomingMessage, callback: (error: string | null | undefined, ok: boolean) => void) {
    const verdict = this.origins.verdict(request.headers.origin, request.headers.host);
    if (verdict !== 'allowed') {
      if (!this.refusedUpgrades.has(request))
        this.rejected?.(verdict === 'missing' ? 'origin_missing' : 'origin_forbidden');
      return callback(INVALID_ORIGIN_MESSAGE, false);
    }
    const address = this.addressOf(request);
    if ((this.transportConnections.get(address) ?? 0) >= this.config.limits.connectionsPerIp) {
      this.rejected?.('too_many_connections');
      return callback(TOO_MANY_CONNECTIONS_MESSAGE, false);
    }
    callback(null, true);
  }

  /** Engine.IO connections by client address on this replica (the transport level, below Socket.IO's limit). */
  private readonly transportConnections = new Map<string, number>();

  private countTransportConnections(server: Server): void {
    server.engine.on(
      'connection',
      (connection: { request: IncomingMessage; once(event: 'close', f: () => void): void }) => {
        const address = this.addressOf(connection.request);
        this.transportConnections.set(address, (this.transportConnections.get(address) ?? 0) + 1);
        connection.once('close', () => {
          const left = (this.transportConnections.get(address) ?? 1) - 1;
          if (left > 0) this.transportConnections.set(address, left);
          else this.transportConnections.delete(address);
        });
      },
    );
  }

  private readonly refusedUpgrades = new WeakSet<IncomingMessage>();

  /**
   * Engine.IO answers every refused WebSocket upgrade with 400; a refused origin gets DropSilk's 403 here first
   * (this listener runs before Engine.IO's, which then finds the connection closed).
   */
  private refuseForeignUpgrades(httpServer: HttpServer, path: string): void {
    httpServer.prependListener('upgrade', (request: IncomingMessage, socket: Duplex) => {
      if (!request.url?.startsWith(path)) return;
      const verdict = this.origins.verdict(request.headers.origin, request.headers.host);
      if (verdict === 'allowed') return;
      this.refusedUpgrades.add(request);
      this.rejected?.(verdict === 'missing' ? 'origin_missing' : 'origin_forbidden');
      const body = JSON.stringify({ code: 4, message: INVALID_ORIGIN_MESSAGE });
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  /** Told of every refused handshake, by reason (metrics). */
  rejected: ((reason: string) => void) | null = null;

  /**
   * Attaches to `httpServer` at `path`: its upgrades and its requests there. Upgrades on other paths are left to
   * the plain-WebSocket protocols when `otherUpgrades` is 'kept'; otherwise Engine.IO ends those nobody answered
   * within a second (its default), so a stray upgrade cannot hang, nor hold the server open at shutdown.
   */
  attach(httpServer: HttpServer, path: string, otherUpgrades: 'kept' | 'ended'): Server {
    const { server: serverConfig } = this.config;
    const server = new Server(httpServer, {
      path,
      transports: serverConfig.transports,
      pingInterval: serverConfig.pingIntervalMs,
      pingTimeout: serverConfig.pingTimeoutMs,
      connectTimeout: this.config.limits.handshakeTimeoutMs,
      maxHttpBufferSize: hardLimit(serverConfig.maxPayloadBytes),
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      destroyUpgrade: otherUpgrades === 'ended',
      cleanupEmptyChildNamespaces: true,
      parser: createGuardedParser(serverConfig.maxPayloadBytes),
      allowRequest: (request, callback) => this.allowRequest(request, callback),
    });
    this.refuseForeignUpgrades(httpServer, server.path());
    this.countTransportConnections(server);
    SocketEventRouter.attach(server, this.log);
    if (this.redis) {
      const { pub, sub } = this.redis;
      server.adapter(
        this.config.redis.adapter === 'sharded'
          ? createShardedAdapter(pub, sub, {
              channelPrefix: `${this.config.redis.keyPrefix}io`,
              // Delivery goes over the cluster bus and sockets join no Socket.IO rooms, so `dynamic` makes no
              // per-connection subscription (`dynamic-private` would subscribe each socket id's room).
              subscriptionMode: 'dynamic',
            })
          : createAdapter(pub, sub, { key: `${this.config.redis.keyPrefix}io` }),
      );
      this.log.log(`Socket.IO Redis adapter: ${this.config.redis.adapter}`);
    }
    return server;
  }
}
