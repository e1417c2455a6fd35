import { Inject, Injectable, Logger } from '@nestjs/common';
import { IceServersService } from '@rendezvous/ice';
import { type ResumeCredentials, resumeCredentialsSchema } from '@rendezvous/protocol';
import { Client, type Connected, ReadinessState, SessionLifecycle, SHUTDOWN_MESSAGE } from '@rendezvous/sessions';
import { sendFailure } from '../common/ws-errors.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { HandshakeChecks } from './handshake-checks.js';
import type { RendezvousSocket } from './socket-data.js';
import { SocketLink } from './socket-link.js';

/** The handshake's `auth.resume`, when it has the right shape (anything else starts a new session). */
function resumeCredentialsOf(auth: unknown): ResumeCredentials | null {
  const parsed = resumeCredentialsSchema.safeParse((auth as { resume?: unknown } | undefined)?.resume);
  return parsed.success ? parsed.data : null;
}

/** Headers a socket may still need after its handshake; the rest is released. */
const KEPT_HEADERS = ['origin', 'user-agent', 'x-forwarded-for'];

/**
 * Every idle socket otherwise keeps its whole HTTP upgrade request (headers, raw headers, query) alive, through
 * Engine.IO's upgrade response. Keep the few headers that matter and drop the rest: about 1 KB per socket.
 */
function releaseUpgradeRequest(socket: RendezvousSocket): void {
  const kept: Record<string, string | string[]> = {};
  for (const name of KEPT_HEADERS) {
    const value = socket.handshake.headers[name];
    if (value !== undefined) kept[name] = value;
  }
  socket.handshake.headers = kept;
  const request = socket.conn.request as unknown as { headers: unknown; rawHeaders: string[] } | null;
  if (request) {
    request.headers = kept;
    request.rawHeaders = [];
  }
  (socket.conn as unknown as { request: unknown }).request = null;
}

/**
 * The Socket.IO binding's side of the session lifecycle: a socket becomes a core Client, which connects (new or
 * resumed session) and is greeted the Socket.IO way (`registered`, `rtc-config`, `session-resumed`).
 */
@Injectable()
export class SocketSessions {
  private readonly logger = new Logger('Sessions');

  constructor(
    @Inject(SessionLifecycle) private readonly lifecycle: SessionLifecycle,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(IceServersService) private readonly ice: IceServersService,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(HandshakeChecks) private readonly handshake: HandshakeChecks,
  ) {}

  open(socket: RendezvousSocket): void {
    if (this.readiness.isDraining) {
      this.metrics.refused('draining');
      socket.emit('server-shutdown', { message: SHUTDOWN_MESSAGE });
      socket.disconnect(true);
      return;
    }
    const client = new Client(new SocketLink(socket), this.handshake.addressOf(socket), socket.data.claims ?? null);
    releaseUpgradeRequest(socket);
    socket.data.client = client;
    const greet = ({ session, resumed, credential }: Connected) => {
      socket.emit('registered', { id: session.id, name: session.name, resume: credential });
      socket.emit('rtc-config', { iceServers: this.ice.forSession(session.id) });
      if (resumed) socket.emit('session-resumed', resumed);
    };
    this.lifecycle.connect(client, resumeCredentialsOf(socket.handshake.auth), greet).then(
      () => undefined,
      (error: unknown) => {
        sendFailure(socket, 'connect', error, this.logger);
        socket.disconnect(true);
      },
    );
  }

  close(socket: RendezvousSocket): void {
    this.handshake.release(socket);
    if (socket.data.client) this.lifecycle.disconnect(socket.data.client);
  }
}
