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
import { ConnectionRegistry } from '@rendezvous/delivery';
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
  type RoomAttachedPayload,
} from '@rendezvous/protocol';
import { IceServersService } from '@rendezvous/ice';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { SignalingError, SignalingService } from '@rendezvous/signaling';
import { sendError, WsErrorFilter } from '../common/ws-error.filter.js';
import { ZodWsPipe } from '../common/zod-ws.pipe.js';
import {
  assertTransferRoomAllowed,
  enterFlight,
  exitFlight,
  nameFor,
  sessionOf,
  signalsSentBy,
} from './socket-data.js';
import { SignalRelay } from './signal-relay.js';
import { SocketSessions } from './socket-sessions.js';
import { Drain } from './drain.js';
import { HandshakeChecks } from './handshake-checks.js';
import { ReplicaLifecycle } from './replica-lifecycle.js';
import { EventRateLimiter } from '../common/event-rate-limiter.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { localSockets, type RendezvousServer, type RendezvousSocket } from './socket-connection.js';

const ok = <T>(data: T): AckResponse<T> => ({ ok: true, data });

/** The native Socket.IO protocol: sessions, presence, flights and the signal relay. */
@WebSocketGateway()
@UseFilters(WsErrorFilter)
export class SignalingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SignalingGateway.name);
  private server!: RendezvousServer;

  constructor(
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(SignalRelay) private readonly signals: SignalRelay,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
    @Inject(SocketSessions) private readonly sessions: SocketSessions,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
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
    router.relay<RendezvousSocket>('signal', (socket, args) => this.signals.relay(socket, args));
    router.onUnknown<RendezvousSocket>((socket, [event, ...args]) => this.rejectUnknown(socket, String(event), args));
    server.engine.on('connection_error', (error: { message: string }) => {
      this.logger.debug(`Connection refused: ${error.message}`);
    });
    this.lifecycle.start();
  }

  handleConnection(socket: RendezvousSocket): void {
    this.sessions.open(socket);
  }

  handleDisconnect(socket: RendezvousSocket): void {
    this.sessions.close(socket);
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
    enterFlight(socket, code, room);
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
      enterFlight(socket, body.flightCode, room),
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
      exitFlight(socket);
      return ok({ left: attachment.code });
    }
    const left = await this.signaling.leaveFlight(session, signalsSentBy(socket));
    exitFlight(socket);
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
    await this.drainer.run(this.server, () => this.sessions.settled());
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
      exitFlight(socket);
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
