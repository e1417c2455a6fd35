import { Inject, Injectable } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { resolveClientAddress, TrustedProxies } from '@rendezvous/signaling';
import type { IncomingMessage } from 'node:http';

/**
 * A client's address: X-Forwarded-For when the peer is a trusted proxy (TRUSTED_PROXIES), else the peer itself.
 * One resolver for HTTP requests, transport handshakes and Socket.IO handshakes, so every per-address limit and
 * presence group sees the same address.
 */
@Injectable()
export class ClientAddress {
  private readonly trusted: TrustedProxies;

  constructor(@Inject(RENDEZVOUS_CONFIG) config: RendezvousConfig) {
    this.trusted = new TrustedProxies(config.server.trustedProxies);
  }

  of(request: IncomingMessage): string {
    return this.resolve(request.socket.remoteAddress ?? '', request.headers['x-forwarded-for']);
  }

  resolve(peerAddress: string, forwardedFor: string | string[] | undefined): string {
    return resolveClientAddress(peerAddress, forwardedFor, this.trusted);
  }
}
