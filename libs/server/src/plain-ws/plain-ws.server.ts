import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RENDEZVOUS_SHAPE, type RendezvousModuleShape, socketIoPathOf } from '../rendezvous-options.js';
import { CONNECTION_LIMITER, type ConnectionLimiter } from '@rendezvous/cluster';
import { INVALID_ORIGIN_MESSAGE, OriginPolicy, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { ClientClaims } from '@rendezvous/sessions';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { AuthRejected, JwtVerifier } from '../auth/jwt-verifier.js';
import { ClientAddress } from '../common/client-address.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { CAMUS_PATH, CamusBinding } from './camus.binding.js';
import { DropSilkBinding } from './dropsilk.binding.js';
import { GenericWsBinding, isGenericUpgrade } from './generic.binding.js';

/** What a binding learns about a connection the server accepted for it. */
export interface PlainWsContext {
  address: string;
  claims: ClientClaims | null;
  url: URL;
}

/** A protocol spoken over a plain WebSocket (JSON text frames, no Socket.IO framing). */
export interface PlainWsBinding {
  accept(ws: WebSocket, context: PlainWsContext): void;
}

/** Socket.IO's own path: Engine.IO answers those upgrades. */

/** Frames this much over MAX_PAYLOAD_BYTES are cut at the transport (close 1009) instead of answered. */
const hardLimit = (maxPayloadBytes: number) => maxPayloadBytes * 2 + 4096;

/**
 * The plain-WebSocket protocols on the HTTP port Socket.IO uses: every upgrade outside `/socket.io/` is checked
 * as a Socket.IO handshake is (origin, then the token of AUTH_MODE=jwt from the `token` query parameter, then
 * MAX_CONNECTIONS_PER_IP cluster-wide) and handed to its protocol's binding. Ping/pong heartbeats end a peer that
 * stops answering (WS_HEALTH_CHECK_INTERVAL_MS, WS_PING_TIMEOUT_MS).
 */
@Injectable()
export class PlainWebSockets implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PlainWebSockets');
  private readonly server: WebSocketServer;
  private readonly origins: OriginPolicy;
  private readonly verifier: JwtVerifier | null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Sockets pinged and not yet answered, with the timer that ends them. */
  private readonly awaitingPong = new Map<WebSocket, NodeJS.Timeout>();

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
    @Inject(CONNECTION_LIMITER) private readonly limiter: ConnectionLimiter,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(DropSilkBinding) private readonly dropSilk: DropSilkBinding,
    @Inject(CamusBinding) private readonly camus: CamusBinding,
    @Inject(GenericWsBinding) private readonly generic: GenericWsBinding,
    @Inject(RENDEZVOUS_SHAPE) private readonly shape: RendezvousModuleShape,
  ) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: hardLimit(config.server.maxPayloadBytes),
      perMessageDeflate: false,
    });
    this.origins = new OriginPolicy(config);
    this.verifier = config.auth ? new JwtVerifier(config.auth) : null;
  }

  onApplicationBootstrap(): void {
    if (!this.shape.plainWebSockets) return;
    const server = this.http.httpAdapter.getHttpServer() as HttpServer;
    const socketIoPath = `${socketIoPathOf(this.shape, this.config)}/`;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (request.url?.startsWith(socketIoPath)) return;
      // Node hands an upgraded socket over without its error listener: a reset during the checks must not throw.
      socket.on('error', () => socket.destroy());
      this.upgrade(request, socket, head).catch((error: Error) => {
        this.logger.warn(`Upgrade failed: ${error.message}`);
        refuse(socket, 503, 'Service Unavailable', 'Service temporarily unavailable, try again shortly');
      });
    });
    this.heartbeat = setInterval(() => this.pingAll(), this.config.server.pingIntervalMs);
    this.heartbeat.unref();
  }

  onApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const timer of this.awaitingPong.values()) clearTimeout(timer);
    for (const ws of this.server.clients) ws.terminate();
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const binding = this.bindingFor(url);
    const verdict = this.origins.verdict(request.headers.origin, request.headers.host);
    if (verdict !== 'allowed') {
      this.metrics.refused(verdict === 'missing' ? 'origin_missing' : 'origin_forbidden');
      return refuse(socket, 403, 'Forbidden', INVALID_ORIGIN_MESSAGE);
    }
    let claims: ClientClaims | null = null;
    if (this.verifier) {
      try {
        claims = await this.verifier.verify(url.searchParams.get('token') ?? undefined);
      } catch (error) {
        const rejected = error instanceof AuthRejected ? error : new AuthRejected('auth_invalid', 'Invalid token');
        this.metrics.refused(rejected.reason);
        return refuse(socket, 401, 'Unauthorized', rejected.message.replace('auth.token', 'the token parameter'));
      }
    }
    const address = this.addresses.of(request);
    if (!(await this.limiter.acquire(address))) {
      this.metrics.refused('too_many_connections');
      const limit = this.config.limits.connectionsPerIp;
      return refuse(socket, 429, 'Too Many Requests', `Too many connections from your address (at most ${limit})`);
    }
    // The slot goes back when the socket closes, or at once if the upgrade never completes.
    let accepted = false;
    socket.once('close', () => {
      if (!accepted) void this.limiter.release(address);
    });
    if (socket.destroyed) return;
    this.server.handleUpgrade(request, socket, head, (ws) => {
      accepted = true;
      ws.once('close', () => {
        this.forgetPing(ws);
        void this.limiter.release(address);
      });
      ws.on('pong', () => this.forgetPing(ws));
      // A frame over the hard limit or not valid WebSocket: ws closes the socket (1009, 1002); without a listener
      // the error would throw.
      ws.on('error', (error: Error) => this.logger.debug(`Plain WebSocket closed on a bad frame: ${error.message}`));
      binding.accept(ws, { address, claims, url });
    });
  }

  /** Camus's `/room/<slug>/ws`; seed 004's `?roomId=&userId=`; anything else DropSilk's (any path, as its backend). */
  private bindingFor(url: URL): PlainWsBinding {
    if (CAMUS_PATH.test(url.pathname)) return this.camus;
    if (isGenericUpgrade(url)) return this.generic;
    return this.dropSilk;
  }

  private pingAll(): void {
    const timeoutMs = this.config.server.pingTimeoutMs;
    for (const ws of this.server.clients) {
      if (this.awaitingPong.has(ws)) continue;
      ws.ping();
      this.awaitingPong.set(
        ws,
        setTimeout(() => ws.terminate(), timeoutMs),
      );
    }
  }

  private forgetPing(ws: WebSocket): void {
    const timer = this.awaitingPong.get(ws);
    if (timer) clearTimeout(timer);
    this.awaitingPong.delete(ws);
  }
}

/** Answers an upgrade with a plain HTTP error and closes the connection. */
function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}
