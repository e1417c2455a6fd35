import { Inject, Injectable } from '@nestjs/common';
import { CONNECTION_LIMITER, type ConnectionLimiter } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { AuthRejected, JwtVerifier } from '../auth/jwt-verifier.js';
import { ClientAddress } from '../common/client-address.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { RendezvousServer, RendezvousSocket } from './socket-data.js';

/**
 * The Socket.IO handshake's own checks, as middleware (guards do not run on connections): the token
 * (AUTH_MODE=jwt), then MAX_CONNECTIONS_PER_IP cluster-wide. A refused client never connects; it gets
 * `connect_error` with `data.code`. (Origins are checked earlier, at the transport: RendezvousIoAdapter.)
 */
@Injectable()
export class HandshakeChecks {
  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(CONNECTION_LIMITER) private readonly connections: ConnectionLimiter,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
  ) {}

  install(server: RendezvousServer): void {
    if (this.config.auth) this.requireTokens(server, new JwtVerifier(this.config.auth));
    this.limitConnectionsPerAddress(server);
  }

  /** The client's address, resolved once in the handshake (where it took a connection slot). */
  addressOf(socket: RendezvousSocket): string {
    const { address, headers } = socket.handshake;
    return socket.data.clientAddress ?? this.addresses.resolve(address, headers['x-forwarded-for']);
  }

  /** The socket is gone: its MAX_CONNECTIONS_PER_IP slot is free again. */
  release(socket: RendezvousSocket): void {
    if (socket.data.clientAddress) void this.connections.release(socket.data.clientAddress);
  }

  /** AUTH_MODE=jwt: a socket without a valid token never connects. */
  private requireTokens(server: RendezvousServer, verifier: JwtVerifier): void {
    server.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      verifier.verify(auth?.token).then(
        (claims) => {
          (socket as RendezvousSocket).data.claims = claims;
          next();
        },
        (error: unknown) => {
          const rejected = error instanceof AuthRejected ? error : new AuthRejected('auth_invalid', 'Invalid token');
          this.metrics.refused(rejected.reason);
          next(Object.assign(new Error(rejected.message), { data: { code: 'unauthorized', reason: rejected.reason } }));
        },
      );
    });
  }

  /** MAX_CONNECTIONS_PER_IP, cluster-wide: one connection too many never connects. */
  private limitConnectionsPerAddress(server: RendezvousServer): void {
    const { connectionsPerIp } = this.config.limits;
    const limiter = this.connections;
    server.use((socket, next) => {
      const clientAddress = this.addressOf(socket as RendezvousSocket);
      void limiter.acquire(clientAddress).then((taken) => {
        if (!taken) {
          this.metrics.refused('too_many_connections');
          const refusal = new Error(`Too many connections from your address (at most ${connectionsPerIp})`);
          next(Object.assign(refusal, { data: { code: 'too_many_connections' } }));
          return;
        }
        // A client gone while its slot was taken never reaches handleDisconnect: its slot is given back here.
        if (socket.conn.readyState !== 'open') {
          void limiter.release(clientAddress);
          next(new Error('Connection closed during the handshake'));
          return;
        }
        // Released by release() from handleDisconnect: no listener of its own per socket.
        (socket as RendezvousSocket).data.clientAddress = clientAddress;
        next();
      });
    });
  }
}
