import { Inject, Logger, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
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
  type JoinRoomPayload,
  type PongPayload,
  type ProfilePayload,
  type RoomInfoPayload,
  type RoomJoinedPayload,
  type StartCallPayload,
} from '@rendezvous/protocol';
import { type MemberSignalEvent, type Receipt, RoomSessions } from '@rendezvous/sessions';
import { SocketEventRouter, splitAck } from '@rendezvous/transport';
import { sendError, toErrorPayload, WsErrorFilter } from '../common/ws-error.filter.js';
import { validatePayload, ZodWsPipe } from '../common/zod-ws.pipe.js';
import { clientOf, type RendezvousServer, type RendezvousSocket } from '../signaling/socket-data.js';

type AckFn = (response: unknown) => void;

const ok = <T>(data: T): AckResponse<T> => ({ ok: true, data });

/**
 * The Socket.IO binding of multiparty rooms (Camus, generic ws) and calls (Quibble): room and call control
 * through Nest handlers, the relays (offer/answer/icecandidate/greeting, text, call-signal) as plain listeners.
 */
@WebSocketGateway()
@UseFilters(WsErrorFilter)
export class MultipartyGateway implements OnGatewayInit {
  private readonly logger = new Logger(MultipartyGateway.name);

  constructor(@Inject(RoomSessions) private readonly rooms: RoomSessions) {}

  afterInit(server: RendezvousServer): void {
    const router = SocketEventRouter.of(server as unknown as Server);
    for (const event of ['offer', 'answer', 'icecandidate', 'greeting'] as const) {
      router.relay<RendezvousSocket>(event, (socket, args) => this.relayToMember(socket, event, args));
    }
    router.relay<RendezvousSocket>('text', (socket, args) => this.relayText(socket, args));
    router.relay<RendezvousSocket>('call-signal', (socket, args) => this.relayCallSignal(socket, args));
  }

  @SubscribeMessage('join-room')
  async joinRoom(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['join-room'])) body: JoinRoomPayload,
  ): Promise<AckResponse<RoomJoinedPayload>> {
    return ok(await this.rooms.join(clientOf(socket), body));
  }

  @SubscribeMessage('get-room-info')
  async getRoomInfo(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['get-room-info'])) _body: unknown,
  ): Promise<AckResponse<RoomInfoPayload>> {
    const info = await this.rooms.roster(clientOf(socket));
    socket.emit('room-info', info);
    return ok(info);
  }

  @SubscribeMessage('profile')
  async profile(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas.profile)) body: ProfilePayload,
  ): Promise<AckResponse<RoomInfoPayload>> {
    return ok(await this.rooms.rename(clientOf(socket), body.username));
  }

  @SubscribeMessage('ping')
  async ping(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas.ping)) body: { data?: unknown },
  ): Promise<AckResponse<PongPayload>> {
    const session = await clientOf(socket).currentSession();
    const pong: PongPayload = { data: body.data ?? null, receiver: session.id };
    socket.emit('pong', pong);
    return ok(pong);
  }

  @SubscribeMessage('bye')
  async bye(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas.bye)) _body: unknown,
  ): Promise<AckResponse<{ left: string | null }>> {
    return ok({ left: await this.rooms.bye(clientOf(socket)) });
  }

  @SubscribeMessage('start-call')
  async startCall(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['start-call'])) body: StartCallPayload,
  ): Promise<AckResponse<CallStartedPayload>> {
    return ok(await this.rooms.startCall(clientOf(socket), body.roomId));
  }

  @SubscribeMessage('join-call')
  async joinCall(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['join-call'])) body: CallIdPayload,
  ): Promise<AckResponse<CallStatePayload>> {
    return ok(await this.rooms.joinCall(clientOf(socket), body.callId));
  }

  @SubscribeMessage('end-call')
  async endCall(
    @ConnectedSocket() socket: RendezvousSocket,
    @MessageBody(new ZodWsPipe(clientSchemas['end-call'])) body: CallIdPayload,
  ): Promise<AckResponse<CallStatePayload>> {
    return ok(await this.rooms.endCall(clientOf(socket), body.callId));
  }

  /** Camus' addressed messages: to one member of the sender's room, with the sender stamped by the server. */
  private relayToMember(socket: RendezvousSocket, event: MemberSignalEvent, args: unknown[]): void {
    const {
      payloadArgs: [raw],
      ack,
    } = splitAck(args);
    this.answer(socket, event, ack, () => {
      const { receiver, data, seq } = validatePayload(clientSchemas[event], raw) as {
        receiver?: string;
        data?: unknown;
        seq?: number;
      };
      // A greeting to nobody in particular is only acknowledged.
      if (!receiver) return { forwarded: false };
      return this.rooms.relayToMember(clientOf(socket), event, receiver, data ?? null, seq);
    });
  }

  /** Camus' `text` to the room: every member, the sender included. */
  private relayText(socket: RendezvousSocket, args: unknown[]): void {
    const {
      payloadArgs: [raw],
      ack,
    } = splitAck(args);
    try {
      const roomId = this.rooms.relayText(clientOf(socket), validatePayload(clientSchemas.text, raw));
      ack?.(ok({ roomId }));
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
    this.answer(socket, 'call-signal', ack, () => {
      const { callId, target, signal, seq } = validatePayload(clientSchemas['call-signal'], raw) as {
        callId: string;
        target: string;
        signal: unknown;
        seq?: number;
      };
      return this.rooms.relayCallSignal(clientOf(socket), callId, target, signal, seq);
    });
  }

  /** Acknowledges a relay with its receipt: at once, or after the live state's answer. */
  private answer(socket: RendezvousSocket, event: string, ack: AckFn | undefined, relay: () => Receipt<object>): void {
    const refuse = (error: unknown) => sendError(socket, toErrorPayload(error, event, this.logger), ack);
    try {
      const receipt = relay();
      if (receipt instanceof Promise) receipt.then((data) => ack?.(ok(data)), refuse);
      else ack?.(ok(receipt));
    } catch (error) {
      refuse(error);
    }
  }
}
