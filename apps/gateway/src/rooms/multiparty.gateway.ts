import { Inject, Logger, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server } from 'socket.io';
import {
  type AckResponse,
  type CallIdPayload,
  type CallStartedPayload,
  type CallStatePayload,
  clientSchemas,
  ErrorCode,
  ErrorMessage,
  type JoinRoomPayload,
  type PongPayload,
  type ProfilePayload,
  type RoomInfoPayload,
  type RoomJoinedPayload,
  type StartCallPayload,
} from '@rendezvous/protocol';
import { type CallState, MultipartyRoomService } from '@rendezvous/rooms';
import { ConnectionRegistry, RoomDelivery, SessionDelivery, toRoomInfo } from '@rendezvous/delivery';
import { SocketEventRouter, splitAck } from '@rendezvous/transport';
import { SignalingError } from '@rendezvous/signaling';
import { sendError, toErrorPayload, WsErrorFilter } from '../common/ws-error.filter.js';
import { validatePayload, ZodWsPipe } from '../common/zod-ws.pipe.js';
import { assertMultipartyRoomAllowed, nameFor, sessionOf } from '../signaling/socket-data.js';
import type { RendezvousServer, RendezvousSocket } from '../signaling/socket-connection.js';

type AckFn = (response: unknown) => void;
type MemberSignalEvent = 'offer' | 'answer' | 'icecandidate' | 'greeting';

const ok = <T>(data: T): AckResponse<T> => ({ ok: true, data });

const callPayload = (call: CallState): CallStatePayload => ({
  callId: call.callId,
  roomId: call.roomId,
  participants: call.participants,
  active: call.participants.length > 0,
});

/**
 * Multiparty rooms (Camus, generic ws) and calls (Quibble). Room and call control runs through Nest handlers;
 * the relays (offer/answer/icecandidate/greeting, text, call-signal) are plain listeners that never wait on the
 * database and, in the common case, not on Redis either.
 */
@WebSocketGateway()
@UseFilters(WsErrorFilter)
export class MultipartyGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger(MultipartyGateway.name);

  constructor(
    @Inject(MultipartyRoomService) private readonly rooms: MultipartyRoomService,
    @Inject(RoomDelivery) private readonly delivery: RoomDelivery,
    @Inject(SessionDelivery) private readonly sessions: SessionDelivery,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
  ) {}

  afterInit(server: RendezvousServer): void {
    const router = SocketEventRouter.of(server as unknown as Server);
    for (const event of ['offer', 'answer', 'icecandidate', 'greeting'] as const) {
      router.relay<RendezvousSocket>(event, (socket, args) => this.relayToMember(socket, event, args));
    }
    router.relay<RendezvousSocket>('text', (socket, args) => this.relayText(socket, args));
    router.relay<RendezvousSocket>('call-signal', (socket, args) => this.relayCallSignal(socket, args));
  }

  handleConnection(socket: RendezvousSocket): void {
    socket.data.room = null;
    socket.data.call = null;
  }

  @SubscribeMessage('join-room')
  async joinRoom(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['join-room'])) body: JoinRoomPayload,
  ): Promise<AckResponse<RoomJoinedPayload>> {
    const session = await sessionOf(socket);
    assertMultipartyRoomAllowed(socket, body.roomId);
    const username = nameFor(socket, body.name ?? socket.data.room?.username ?? session.name);
    const previous = socket.data.room?.id;
    const request = { ...body, username, clientAddress: session.address };
    const connection = socket.data.connection;
    if (!connection) throw new SignalingError(ErrorCode.Unavailable);
    const joined = await this.rooms.join(session.id, request, ({ room }) => {
      if (previous && previous !== room.id) {
        this.connections.leaveRoom(previous, connection);
        socket.data.call = null;
      }
      this.connections.joinRoom(room.id, connection);
      socket.data.room = { id: room.id, username };
    });
    if (previous && previous !== joined.room.id) this.delivery.release(previous);
    if (!socket.connected) {
      // Closed while joining, before its disconnect could know the room: leave it, or it stays a ghost member.
      await this.leaveRoom(socket, session.id, joined.room.id);
      throw new SignalingError(ErrorCode.NotInRoom);
    }
    this.delivery.catchUp(connection, joined.room.id, joined.roster.version);
    return ok({
      roomId: joined.room.id,
      name: joined.room.name,
      self: { id: session.id, username },
      clients: toRoomInfo(joined.roster).clients,
      calls: joined.calls.map((call) => ({
        callId: call.callId,
        roomId: call.roomId,
        by: call.startedBy,
        participants: call.participants,
      })),
    });
  }

  @SubscribeMessage('get-room-info')
  async getRoomInfo(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['get-room-info'])) _body: unknown,
  ): Promise<AckResponse<RoomInfoPayload>> {
    const room = this.roomOf(socket);
    const info = toRoomInfo(await this.rooms.roster(room.id));
    socket.emit('room-info', info);
    return ok(info);
  }

  @SubscribeMessage('profile')
  async profile(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas.profile)) body: ProfilePayload,
  ): Promise<AckResponse<RoomInfoPayload>> {
    const session = await sessionOf(socket);
    const room = this.roomOf(socket);
    const username = nameFor(socket, body.username);
    const roster = await this.rooms.rename(session.id, username);
    socket.data.room = { id: room.id, username };
    return ok(toRoomInfo(roster));
  }

  @SubscribeMessage('ping')
  async ping(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas.ping)) body: { data?: unknown },
  ): Promise<AckResponse<PongPayload>> {
    const session = await sessionOf(socket);
    const pong: PongPayload = { data: body.data ?? null, receiver: session.id };
    socket.emit('pong', pong);
    return ok(pong);
  }

  @SubscribeMessage('bye')
  async bye(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas.bye)) _body: unknown,
  ): Promise<AckResponse<{ left: string | null }>> {
    const session = await sessionOf(socket);
    const room = socket.data.room;
    if (!room) return ok({ left: null });
    await this.leaveRoom(socket, session.id, room.id);
    this.delivery.toRoom(room.id, 'bye', { sender: session.id, roomId: room.id });
    return ok({ left: room.id });
  }

  @SubscribeMessage('start-call')
  async startCall(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['start-call'])) body: StartCallPayload,
  ): Promise<AckResponse<CallStartedPayload>> {
    const session = await sessionOf(socket);
    if (socket.data.room?.id !== body.roomId) throw new SignalingError(ErrorCode.NotInRoom);
    const call = await this.rooms.startCall(session.id, Date.now(), (started) => this.enterCall(socket, started));
    return ok({ callId: call.callId, roomId: call.roomId, by: call.startedBy });
  }

  @SubscribeMessage('join-call')
  async joinCall(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['join-call'])) body: CallIdPayload,
  ): Promise<AckResponse<CallStatePayload>> {
    const session = await sessionOf(socket);
    if (!socket.data.room) throw new SignalingError(ErrorCode.CallNotFound);
    const call = await this.rooms.joinCall(session.id, body.callId, (joined) => this.enterCall(socket, joined));
    return ok(callPayload(call));
  }

  @SubscribeMessage('end-call')
  async endCall(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['end-call'])) body: CallIdPayload,
  ): Promise<AckResponse<CallStatePayload>> {
    const session = await sessionOf(socket);
    const current = socket.data.call;
    if (current?.callId !== body.callId) throw new SignalingError(ErrorCode.NotInCall);
    socket.data.call = null;
    const call = await this.rooms.leaveCall(session.id);
    return ok(
      call ? callPayload(call) : { callId: current.callId, roomId: current.roomId, participants: [], active: false },
    );
  }

  /** Leaves the socket's room and call: on `bye`, and from the disconnect path for a socket that had a room. */
  async leaveRoom(socket: RendezvousSocket, sessionId: string, roomId: string): Promise<void> {
    socket.data.room = null;
    socket.data.call = null;
    if (socket.data.connection) this.connections.leaveRoom(roomId, socket.data.connection);
    try {
      await this.rooms.leave(sessionId);
    } finally {
      this.delivery.release(roomId);
    }
  }

  /** A session of a dead replica: its room and call are left, as its socket's close would have. */
  async reap(sessionId: string): Promise<void> {
    await this.rooms.leave(sessionId);
  }

  /** After the live state lost this socket's membership (Redis restart): write it back and tell the room. */
  async restore(socket: RendezvousSocket): Promise<void> {
    const { session, room, call } = socket.data;
    if (!session || !room) return;
    await this.rooms.restore(room.id, { id: session.id, username: room.username }, call ?? null);
  }

  private enterCall(socket: RendezvousSocket, call: CallState): void {
    socket.data.call = {
      callId: call.callId,
      roomId: call.roomId,
      startedBy: call.startedBy,
      startedAt: call.startedAt,
    };
  }

  private roomOf(socket: RendezvousSocket): { id: string; username: string } {
    const room = socket.data.room;
    if (!room) throw new SignalingError(ErrorCode.NotInRoom);
    return room;
  }

  /** Camus' addressed messages: to one member of the sender's room, with the sender stamped by the server. */
  private relayToMember(socket: RendezvousSocket, event: MemberSignalEvent, args: unknown[]): void {
    const {
      payloadArgs: [raw],
      ack,
    } = splitAck(args);
    try {
      const { receiver, data } = validatePayload(clientSchemas[event], raw) as { receiver?: string; data?: unknown };
      const session = socket.data.session;
      const room = socket.data.room;
      if (!session || !room) throw new SignalingError(ErrorCode.NotInRoom);
      if (!receiver) {
        // A greeting to nobody in particular is only acknowledged.
        ack?.(ok({ forwarded: false }));
        return;
      }
      const deliver = () => {
        this.sessions.toSession(receiver, event, { sender: session.id, receiver, data: data ?? null });
        ack?.(ok({ forwarded: true }));
      };
      this.checkThenDeliver(
        socket,
        event,
        this.delivery.isMember(room.id, receiver),
        () => this.rooms.isMember(room.id, receiver),
        ErrorCode.ReceiverNotInRoom,
        deliver,
        ack,
      );
    } catch (error) {
      sendError(socket, toErrorPayload(error, event, this.logger), ack);
    }
  }

  /** Camus' `text` to the room: every member, the sender included, gets it with `sender` stamped. */
  private relayText(socket: RendezvousSocket, args: unknown[]): void {
    const {
      payloadArgs: [raw],
      ack,
    } = splitAck(args);
    try {
      const body = validatePayload(clientSchemas.text, raw);
      const session = socket.data.session;
      const room = socket.data.room;
      if (!session || !room) throw new SignalingError(ErrorCode.NotInRoom);
      this.delivery.toRoom(room.id, 'text', {
        sender: session.id,
        from: body.from ?? room.username,
        time: body.time ?? Date.now(),
        text: body.text,
      });
      ack?.(ok({ roomId: room.id }));
    } catch (error) {
      sendError(socket, toErrorPayload(error, 'text', this.logger), ack);
    }
  }

  /** Quibble's `call-signal`: opaque, to one participant of the sender's own call. */
  private relayCallSignal(socket: RendezvousSocket, args: unknown[]): void {
    const {
      payloadArgs: [raw],
      ack,
    } = splitAck(args);
    try {
      const { callId, target, signal } = validatePayload(clientSchemas['call-signal'], raw) as {
        callId: string;
        target: string;
        signal: unknown;
      };
      const session = socket.data.session;
      if (!session || socket.data.call?.callId !== callId) throw new SignalingError(ErrorCode.NotInCall);
      const deliver = () => {
        this.sessions.toSession(target, 'call-signal', { callId, from: session.id, signal });
        ack?.(ok({ forwarded: true }));
      };
      this.checkThenDeliver(
        socket,
        'call-signal',
        this.delivery.inCall(callId, target),
        async () => (await this.rooms.getCall(callId))?.participants.includes(target) ?? false,
        ErrorCode.TargetNotInCall,
        deliver,
        ack,
      );
    } catch (error) {
      sendError(socket, toErrorPayload(error, 'call-signal', this.logger), ack);
    }
  }

  /** Delivers at once when this replica's last roster has the recipient; asks the live state otherwise. */
  private checkThenDeliver(
    socket: RendezvousSocket,
    event: string,
    known: boolean | undefined,
    lookup: () => Promise<boolean>,
    refusal: ErrorCode,
    deliver: () => void,
    ack: AckFn | undefined,
  ): void {
    if (known) return deliver();
    lookup().then(
      (member) =>
        member ? deliver() : sendError(socket, { code: refusal, message: ErrorMessage[refusal], event }, ack),
      (error: unknown) => sendError(socket, toErrorPayload(error, event, this.logger), ack),
    );
  }
}
