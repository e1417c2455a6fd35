import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConnectionRegistry } from '@rendezvous/delivery';
import { IceServersService } from '@rendezvous/ice';
import { type ResumeCredentials, resumeCredentialsSchema, type SessionResumedPayload } from '@rendezvous/protocol';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { type SessionRecord, SignalingService } from '@rendezvous/signaling';
import { ReadinessState } from '../common/readiness.state.js';
import { sendError, toErrorPayload } from '../common/ws-error.filter.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { MultipartyGateway } from '../rooms/multiparty.gateway.js';
import { SHUTDOWN_MESSAGE } from './drain.js';
import { HandshakeChecks } from './handshake-checks.js';
import { type RendezvousSocket, SocketConnection } from './socket-connection.js';
import { enterFlight, signalsSentBy } from './socket-data.js';

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
 * A Socket.IO client's session from its connection to its close: a new or resumed session, its registration
 * with the core (delivery by session id), and its departure from rooms, flight and presence when it goes.
 */
@Injectable()
export class SocketSessions {
  private readonly logger = new Logger('Sessions');
  private readonly pendingDisconnects = new Set<Promise<void>>();

  constructor(
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
    @Inject(MultipartyGateway) private readonly multiparty: MultipartyGateway,
    @Inject(IceServersService) private readonly ice: IceServersService,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(HandshakeChecks) private readonly handshake: HandshakeChecks,
  ) {}

  open(socket: RendezvousSocket): void {
    if (this.readiness.isDraining) {
      this.metrics.rejectedConnections.inc({ reason: 'draining' });
      socket.emit('server-shutdown', { message: SHUTDOWN_MESSAGE });
      socket.disconnect(true);
      return;
    }
    const clientAddress = this.handshake.addressOf(socket);
    releaseUpgradeRequest(socket);
    socket.data.flight = null;
    socket.data.attachment = null;
    socket.data.peerId = null;
    const resume = resumeCredentialsOf(socket.handshake.auth);
    let resumed: SessionResumedPayload | null = null;
    socket.data.ready = (resume ? this.resumeSession(socket, resume) : Promise.resolve(null))
      .then((taken) => {
        if (!taken) return this.newSession(socket, clientAddress);
        resumed = taken.announcement;
        return taken.session;
      })
      .then(
        (session) => {
          socket.data.session = session;
          socket.data.ready = undefined;
          if (!socket.connected) {
            void this.signaling.disconnect(session.id).catch(() => undefined);
            return null;
          }
          socket.data.connection = new SocketConnection(socket);
          this.connections.add(socket.data.connection);
          this.metrics.lifecycle.inc({ event: 'connection' });
          socket.emit('registered', { id: session.id, name: session.name });
          socket.emit('rtc-config', { iceServers: this.ice.forSession(session.id) });
          if (resumed) socket.emit('session-resumed', resumed);
          return session;
        },
        (error: unknown) => {
          socket.data.ready = undefined;
          sendError(socket, toErrorPayload(error, 'connect', this.logger));
          socket.disconnect(true);
          return null;
        },
      );
  }

  close(socket: RendezvousSocket): void {
    if (socket.data.connection) this.connections.remove(socket.data.connection);
    this.handshake.release(socket);
    const session = socket.data.session;
    if (!session) return;
    this.metrics.lifecycle.inc({ event: 'disconnection' });
    // Parked by the drain: the session waits in the live state for its client to resume it elsewhere.
    if (socket.data.parked) return;
    const { attachment, room } = socket.data;
    const pending = (attachment ? this.attachments.detach(session, attachment) : Promise.resolve())
      .catch((error: Error) => this.logger.warn(`Room detach of ${session.id} not recorded: ${error.message}`))
      .then(() => (room ? this.multiparty.leaveRoom(socket, session.id, room.id) : undefined))
      .catch((error: Error) => this.logger.warn(`Room departure of ${session.id} not recorded: ${error.message}`))
      .then(() => this.signaling.disconnect(session.id, signalsSentBy(socket)))
      .catch((error: Error) => this.logger.warn(`Disconnect of ${session.id} not recorded: ${error.message}`))
      .finally(() => this.pendingDisconnects.delete(pending));
    this.pendingDisconnects.add(pending);
  }

  /** Settles once every departure recorded so far is written (the drain waits for it). */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.pendingDisconnects]);
  }

  private async newSession(socket: RendezvousSocket, clientAddress: string): Promise<SessionRecord> {
    const session = await this.signaling.connect(clientAddress);
    // A token's `name` is the session's name from the start.
    const name = socket.data.auth?.name;
    return name ? this.signaling.rename(session, name) : session;
  }

  /** A client of a drained replica taking up its session (and flight) here; null: it starts a new one. */
  private async resumeSession(
    socket: RendezvousSocket,
    resume: ResumeCredentials,
  ): Promise<{ session: SessionRecord; announcement: SessionResumedPayload } | null> {
    const resumed = await this.signaling.resume(resume.sessionId, resume.token).catch((error: Error) => {
      this.logger.warn(`Resume of ${resume.sessionId} failed: ${error.message}`);
      return null;
    });
    if (!resumed) return null;
    const { session, flight } = resumed;
    const peer = flight?.peer ? { id: flight.peer.id, name: flight.peer.name } : null;
    if (flight) {
      enterFlight(socket, flight.code, flight.room);
      socket.data.peerId = peer?.id ?? null;
    }
    this.metrics.lifecycle.inc({ event: 'session_resumed' });
    return { session, announcement: { id: session.id, flightCode: flight?.code ?? null, peer } };
  }
}
