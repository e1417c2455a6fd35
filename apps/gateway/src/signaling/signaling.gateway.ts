import { Inject, Logger, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { OVERDEEP_EVENT, OVERSIZE_EVENT, SocketEventRouter, splitAck } from '@rendezvous/transport';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { ConnectionRegistry, SessionDelivery } from '@rendezvous/delivery';
import {
  type AckResponse,
  type AttachRoomPayload,
  clientSchemas,
  ErrorCode,
  ErrorMessage,
  type FlightCreatedPayload,
  type IceServer,
  type InviteToFlightPayload,
  type JoinFlightPayload,
  type PeerJoinedPayload,
  type RegisteredPayload,
  type RegisterDetailsPayload,
  type ResumeCredentials,
  resumeCredentialsSchema,
  type RoomAttachedPayload,
  type SessionResumedPayload,
} from '@rendezvous/protocol';
import { IceServersService } from '@rendezvous/ice';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { type SessionRecord, SignalingError, SignalingService } from '@rendezvous/signaling';
import { ReadinessState } from '../common/readiness.state.js';
import { MultipartyGateway } from '../rooms/multiparty.gateway.js';
import { sendError, toErrorPayload, WsErrorFilter } from '../common/ws-error.filter.js';
import { validatePayload, ZodWsPipe } from '../common/zod-ws.pipe.js';
import { assertTransferRoomAllowed, nameFor, sessionOf, signalsSentBy } from './socket-data.js';
import { Drain, SHUTDOWN_MESSAGE } from './drain.js';
import { HandshakeChecks } from './handshake-checks.js';
import { ReplicaLifecycle } from './replica-lifecycle.js';
import { EventRateLimiter } from '../common/event-rate-limiter.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { localSockets, type RendezvousServer, type RendezvousSocket, SocketConnection } from './socket-connection.js';

/** The handshake's `auth.resume`, when it has the right shape (anything else starts a new session). */
function resumeCredentialsOf(auth: unknown): ResumeCredentials | null {
  const parsed = resumeCredentialsSchema.safeParse((auth as { resume?: unknown } | undefined)?.resume);
  return parsed.success ? parsed.data : null;
}

const ok = <T>(data: T): AckResponse<T> => ({ ok: true, data });

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

/** The native Socket.IO protocol: sessions, presence, flights and the signal relay. */
@WebSocketGateway()
@UseFilters(WsErrorFilter)
export class SignalingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SignalingGateway.name);
  private server!: RendezvousServer;
  private readonly pendingDisconnects = new Set<Promise<void>>();

  constructor(
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(SessionDelivery) private readonly delivery: SessionDelivery,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
    @Inject(MultipartyGateway) private readonly multiparty: MultipartyGateway,
    @Inject(IceServersService) private readonly ice: IceServersService,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(HandshakeChecks) private readonly handshake: HandshakeChecks,
    @Inject(ReplicaLifecycle) private readonly lifecycle: ReplicaLifecycle,
    @Inject(Drain) private readonly drainer: Drain,
  ) {}

  afterInit(server: RendezvousServer): void {
    this.server = server;
    const router = SocketEventRouter.of(server as unknown as Server);
    const limiter = new EventRateLimiter(this.config.limits, (outcome) => this.metrics.rateLimited.inc({ outcome }));
    router.admitWith((socket, event, args) => limiter.admit(socket, event, args));
    router.observeRelays(this.metrics.relayObserver());
    this.metrics.readLocalFrom({ sockets: () => this.localSocketCount(), flights: () => this.localFlightCount() });
    this.handshake.install(server);
    router.relay<RendezvousSocket>('signal', (socket, args) => this.relaySignal(socket, args));
    router.onUnknown<RendezvousSocket>((socket, [event, ...args]) => this.rejectUnknown(socket, String(event), args));
    server.engine.on('connection_error', (error: { message: string }) => {
      this.logger.debug(`Connection refused: ${error.message}`);
    });
    this.lifecycle.start();
  }

  handleConnection(socket: RendezvousSocket): void {
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
      this.enterFlight(socket, flight.code, flight.room);
      socket.data.peerId = peer?.id ?? null;
    }
    this.metrics.lifecycle.inc({ event: 'session_resumed' });
    return { session, announcement: { id: session.id, flightCode: flight?.code ?? null, peer } };
  }

  handleDisconnect(socket: RendezvousSocket): void {
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

  @SubscribeMessage('register-details')
  async registerDetails(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['register-details'])) body: RegisterDetailsPayload,
  ): Promise<AckResponse<RegisteredPayload>> {
    const session = await sessionOf(socket);
    const updated = await this.signaling.rename(session, nameFor(socket, body.name));
    socket.data.session = updated;
    return ok({ id: updated.id, name: updated.name });
  }

  @SubscribeMessage('create-flight')
  async createFlight(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['create-flight'])) _body: unknown,
  ): Promise<AckResponse<FlightCreatedPayload>> {
    const session = await sessionOf(socket);
    if (socket.data.attachment) throw new SignalingError(ErrorCode.AlreadyInFlight);
    const { code, room } = await this.signaling.createFlight(session);
    this.enterFlight(socket, code, room);
    socket.emit('flight-created', { flightCode: code });
    this.metrics.lifecycle.inc({ event: 'flight_created' });
    return ok({ flightCode: code });
  }

  @SubscribeMessage('join-flight')
  async joinFlight(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['join-flight'])) body: JoinFlightPayload,
  ): Promise<AckResponse<PeerJoinedPayload>> {
    const session = await sessionOf(socket);
    if (socket.data.attachment) throw new SignalingError(ErrorCode.AlreadyInFlight);
    const joined = await this.signaling.joinFlight(session, body.flightCode, (room) =>
      this.enterFlight(socket, body.flightCode, room),
    );
    this.metrics.lifecycle.inc({ event: 'flight_joined' });
    return ok({
      flightCode: joined.code,
      peer: { id: joined.peer.id, name: joined.peer.name },
      connectionType: joined.connectionType,
    });
  }

  @SubscribeMessage('invite-to-flight')
  async inviteToFlight(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['invite-to-flight'])) body: InviteToFlightPayload,
  ): Promise<AckResponse<{ invited: string }>> {
    const session = await sessionOf(socket);
    // Invitations pop up on someone else's screen: a sender gets INVITES_PER_MINUTE of them, not a stream.
    const now = Date.now();
    const recent = (socket.data.invitesSentAt ?? []).filter((sentAt) => now - sentAt < 60_000);
    const { invitesPerMinute } = this.config.limits;
    if (recent.length >= invitesPerMinute) {
      throw new SignalingError(ErrorCode.RateLimited, `Too many invitations; at most ${invitesPerMinute} a minute`);
    }
    await this.signaling.invite(session, body.inviteeId, body.flightCode);
    socket.data.invitesSentAt = [...recent, now];
    return ok({ invited: body.inviteeId });
  }

  /**
   * The hot path, bound as a plain listener rather than through Nest's handler pipeline: no live-state read,
   * delivery by session id reaches the peer on whichever replica holds it. Same schema, same errors.
   */
  private relaySignal(socket: RendezvousSocket, args: unknown[]): void {
    const { payloadArgs, ack } = splitAck(args);
    try {
      const { data } = validatePayload(clientSchemas.signal, payloadArgs[0]);
      const flight = socket.data.flight;
      const session = socket.data.session;
      if (!flight || !session) throw new SignalingError(ErrorCode.NotInFlight);
      const peerId = socket.data.peerId;
      if (peerId) {
        this.delivery.toSession(peerId, 'signal', { from: session.id, data });
        socket.data.signalsSent = (socket.data.signalsSent ?? 0) + 1;
      }
      ack?.(ok({ flightCode: flight.code, forwarded: peerId !== null && peerId !== undefined }));
    } catch (error) {
      sendError(socket, toErrorPayload(error, 'signal', this.logger), ack);
    }
  }

  @SubscribeMessage('leave-flight')
  async leaveFlight(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['leave-flight'])) _body: unknown,
  ): Promise<AckResponse<{ left: string | null }>> {
    const session = await sessionOf(socket);
    const attachment = socket.data.attachment;
    if (attachment) {
      await this.attachments.detach(session, attachment);
      socket.data.attachment = null;
      this.exitFlight(socket);
      return ok({ left: attachment.code });
    }
    const left = await this.signaling.leaveFlight(session, signalsSentBy(socket));
    this.exitFlight(socket);
    return ok({ left: left?.code ?? null });
  }

  /** Camus' `get-ice-servers`: answered with `ice-servers [...]`, waiting for Cloudflare when it is configured. */
  @SubscribeMessage('get-ice-servers')
  async getIceServers(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['get-ice-servers'])) _body: unknown,
  ): Promise<AckResponse<IceServer[]>> {
    const session = await sessionOf(socket);
    const servers = await this.ice.resolveForSession(session.id);
    socket.emit('ice-servers', servers);
    return ok(servers);
  }

  @SubscribeMessage('attach-room')
  async attachRoom(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['attach-room'])) body: AttachRoomPayload,
  ): Promise<AckResponse<RoomAttachedPayload>> {
    const session = await sessionOf(socket);
    assertTransferRoomAllowed(socket, body.roomCode);
    if (socket.data.flight && !socket.data.attachment) throw new SignalingError(ErrorCode.AlreadyInFlight);
    // Attaching elsewhere leaves the current slot; attaching the same slot again (DropSilk's client re-sends its
    // attach-room while a share lasts) keeps it, and only re-announces the pair, as DropSilk's backend does.
    const current = socket.data.attachment;
    const same =
      current?.code === body.roomCode &&
      current.participantId === body.participantId &&
      current.channel === body.channel;
    if (current && !same) await this.attachments.detach(session, current);
    const attached = await this.attachments.attach(
      session,
      body.roomCode,
      body.participantId,
      body.channel,
      (attachment, renamed) => {
        socket.data.session = renamed;
        socket.data.attachment = attachment;
        socket.data.flight = { code: attachment.code, token: `room-${attachment.channel}` };
        socket.data.peerId = null;
      },
      socket.data.auth?.name ?? null,
    );
    return ok(attached);
  }

  /** SIGTERM: see Drain. */
  async drain(): Promise<void> {
    await this.drainer.run(this.server, () => Promise.allSettled([...this.pendingDisconnects]));
  }

  /**
   * Transfer rooms deleted by room expiry: this replica's sockets attached to them are told `room-expired` and
   * lose their attachment (they stay connected, free to attach or fly again).
   */
  async closeExpiredRooms(codes: string[]): Promise<void> {
    const expired = new Set(codes);
    const released: Promise<void>[] = [];
    for (const socket of localSockets(this.connections).values()) {
      const { attachment, session } = socket.data;
      if (!attachment || !session || !expired.has(attachment.code)) continue;
      socket.data.attachment = null;
      this.exitFlight(socket);
      socket.emit('room-expired', { roomCode: attachment.code });
      released.push(
        this.attachments
          .release(session, attachment)
          .catch((error: Error) => this.logger.warn(`Expired room ${attachment.code} slot kept: ${error.message}`)),
      );
    }
    await Promise.all(released);
  }

  localSocketCount(): number {
    return this.server?.of('/').sockets.size ?? 0;
  }

  localFlightCount(): number {
    const codes = new Set<string>();
    for (const socket of this.server?.of('/').sockets.values() ?? []) {
      const flight = (socket as RendezvousSocket).data.flight;
      if (flight) codes.add(flight.code);
    }
    return codes.size;
  }

  private enterFlight(socket: RendezvousSocket, code: string, token: string): void {
    socket.data.flight = { code, token };
    socket.data.peerId = null;
    socket.data.signalsSent = 0;
  }

  private exitFlight(socket: RendezvousSocket): void {
    socket.data.flight = null;
    socket.data.peerId = null;
  }

  private rejectUnknown(socket: RendezvousSocket, event: string, args: unknown[]): void {
    const { ack } = splitAck(args);
    const code =
      event === OVERSIZE_EVENT
        ? ErrorCode.PayloadTooLarge
        : event === OVERDEEP_EVENT
          ? ErrorCode.PayloadTooDeep
          : ErrorCode.UnknownEvent;
    sendError(socket, { code, message: ErrorMessage[code], event: event.slice(0, 64) }, ack);
  }
}
