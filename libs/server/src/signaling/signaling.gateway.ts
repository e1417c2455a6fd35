import { Inject, Injectable, Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { OVERDEEP_EVENT, OVERSIZE_EVENT, SocketEventRouter, splitAck } from '@rendezvous/transport';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import {
  type AckResponse,
  type AttachRoomPayload,
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
import { FlightSessions, SessionLifecycle } from '@rendezvous/sessions';
import { bindClientEvents, ClientEvent } from '../common/client-event.js';
import { sendError, sendFailure } from '../common/ws-errors.js';
import { EventRateLimiter } from '../common/event-rate-limiter.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { HandshakeChecks } from './handshake-checks.js';
import { SignalRelay } from './signal-relay.js';
import { clientOf, type RendezvousServer, type RendezvousSocket } from './socket-data.js';
import { SocketSessions } from './socket-sessions.js';

const ok = <T>(data: T): AckResponse<T> => ({ ok: true, data });

/**
 * The Socket.IO binding of sessions, presence, flights and transfer-room attachment: one handler per event
 * (schema, core call, ack); the session lifecycle is SocketSessions', the `signal` hot path SignalRelay's.
 */
@Injectable()
export class SignalingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SignalingGateway.name);
  private readonly errorLogger = new Logger('WsError');

  constructor(
    @Inject(FlightSessions) private readonly flights: FlightSessions,
    @Inject(SessionLifecycle) private readonly lifecycle: SessionLifecycle,
    @Inject(SignalRelay) private readonly signals: SignalRelay,
    @Inject(SocketSessions) private readonly sessions: SocketSessions,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(IceServersService) private readonly ice: IceServersService,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(HandshakeChecks) private readonly handshake: HandshakeChecks,
  ) {}

  afterInit(server: RendezvousServer): void {
    const router = SocketEventRouter.of(server as unknown as Server);
    const limiter = new EventRateLimiter(this.config.limits, (outcome) => this.metrics.rateLimited.inc({ outcome }));
    router.admitWith((socket, event, args) => limiter.admit(socket, event, args));
    // For every gateway's @ClientEvent handlers: a failure is the sender's `error` and its ack's error.
    router.handleFailuresWith((socket, event, error, ack) => sendFailure(socket, event, error, this.errorLogger, ack));
    bindClientEvents(router, this);
    router.observeRelays(this.metrics.relayObserver());
    this.metrics.readLocalFrom({
      sockets: () => this.lifecycle.clientCount(),
      clientsByProtocol: () => this.lifecycle.clientsByProtocol(),
      flights: () => this.lifecycle.flightCount(),
    });
    this.handshake.install(server);
    router.relay<RendezvousSocket>('signal', (socket, args) => this.signals.relay(socket, args));
    router.onUnknown<RendezvousSocket>((socket, [event, ...args]) => this.rejectUnknown(socket, String(event), args));
    server.engine.on('connection_error', (error: { message: string }) => {
      this.logger.debug(`Connection refused: ${error.message}`);
    });
  }

  handleConnection(socket: RendezvousSocket): void {
    this.sessions.open(socket);
  }

  handleDisconnect(socket: RendezvousSocket): void {
    this.sessions.close(socket);
  }

  @ClientEvent('register-details')
  async registerDetails(
    socket: RendezvousSocket,
    body: RegisterDetailsPayload,
  ): Promise<AckResponse<RegisteredPayload>> {
    return ok(await this.flights.rename(clientOf(socket), body.name));
  }

  @ClientEvent('create-flight')
  async createFlight(socket: RendezvousSocket): Promise<AckResponse<FlightCreatedPayload>> {
    const flightCode = await this.flights.createFlight(clientOf(socket));
    socket.emit('flight-created', { flightCode });
    return ok({ flightCode });
  }

  @ClientEvent('join-flight')
  async joinFlight(socket: RendezvousSocket, body: JoinFlightPayload): Promise<AckResponse<PeerJoinedPayload>> {
    return ok(await this.flights.joinFlight(clientOf(socket), body.flightCode));
  }

  @ClientEvent('invite-to-flight')
  async inviteToFlight(
    socket: RendezvousSocket,
    body: InviteToFlightPayload,
  ): Promise<AckResponse<{ invited: string }>> {
    await this.flights.invite(clientOf(socket), body.inviteeId, body.flightCode);
    return ok({ invited: body.inviteeId });
  }

  @ClientEvent('leave-flight')
  async leaveFlight(socket: RendezvousSocket): Promise<AckResponse<{ left: string | null }>> {
    return ok({ left: await this.flights.leaveFlight(clientOf(socket)) });
  }

  /** Camus' `get-ice-servers`: answered with `ice-servers [...]`, waiting for Cloudflare when it is configured. */
  @ClientEvent('get-ice-servers')
  async getIceServers(socket: RendezvousSocket): Promise<AckResponse<IceServer[]>> {
    const session = await clientOf(socket).currentSession();
    const servers = await this.ice.resolveForSession(session.id);
    socket.emit('ice-servers', servers);
    return ok(servers);
  }

  @ClientEvent('attach-room')
  async attachRoom(socket: RendezvousSocket, body: AttachRoomPayload): Promise<AckResponse<RoomAttachedPayload>> {
    return ok(await this.flights.attachRoom(clientOf(socket), body));
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
