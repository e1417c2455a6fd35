import { Inject, Injectable, Logger } from '@nestjs/common';
import { type OnGatewayInit } from '@nestjs/websockets';
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
import { bindClientEvents, ClientEvent } from '../common/client-event.js';
import { validatePayload } from '../common/validate-payload.js';
import { sendFailure } from '../common/ws-errors.js';
import { clientOf, type RendezvousServer, type RendezvousSocket } from '../signaling/socket-data.js';

type AckFn = (response: unknown) => void;

const ok = <T>(data: T): AckResponse<T> => ({ ok: true, data });

/**
 * The Socket.IO binding of multiparty rooms (Camus, generic ws) and calls (Quibble): room and call control as
 * one `@ClientEvent` handler per event (schema, core call, ack), the relays (offer/answer/icecandidate/greeting,
 * text, call-signal) as plain listeners.
 */
@Injectable()
export class MultipartyGateway implements OnGatewayInit {
  private readonly logger = new Logger(MultipartyGateway.name);

  constructor(@Inject(RoomSessions) private readonly rooms: RoomSessions) {}

  afterInit(server: RendezvousServer): void {
    const router = SocketEventRouter.of(server as unknown as Server);
    bindClientEvents(router, this);
    for (const event of ['offer', 'answer', 'icecandidate', 'greeting'] as const) {
      router.relay<RendezvousSocket>(event, (socket, args) => this.relayToMember(socket, event, args));
    }
    router.relay<RendezvousSocket>('text', (socket, args) => this.relayText(socket, args));
    router.relay<RendezvousSocket>('call-signal', (socket, args) => this.relayCallSignal(socket, args));
  }

  @ClientEvent('join-room')
  async joinRoom(socket: RendezvousSocket, body: JoinRoomPayload): Promise<AckResponse<RoomJoinedPayload>> {
    return ok(await this.rooms.join(clientOf(socket), body));
  }

  @ClientEvent('get-room-info')
  async getRoomInfo(socket: RendezvousSocket): Promise<AckResponse<RoomInfoPayload>> {
    const info = await this.rooms.roster(clientOf(socket));
    socket.emit('room-info', info);
    return ok(info);
  }

  @ClientEvent('profile')
  async profile(socket: RendezvousSocket, body: ProfilePayload): Promise<AckResponse<RoomInfoPayload>> {
    return ok(await this.rooms.rename(clientOf(socket), body.username));
  }

  @ClientEvent('ping')
  async ping(socket: RendezvousSocket, body: { data?: unknown }): Promise<AckResponse<PongPayload>> {
    const session = await clientOf(socket).currentSession();
    const pong: PongPayload = { data: body.data ?? null, receiver: session.id };
    socket.emit('pong', pong);
    return ok(pong);
  }

  @ClientEvent('bye')
  async bye(socket: RendezvousSocket): Promise<AckResponse<{ left: string | null }>> {
    return ok({ left: await this.rooms.bye(clientOf(socket)) });
  }

  @ClientEvent('start-call')
  async startCall(socket: RendezvousSocket, body: StartCallPayload): Promise<AckResponse<CallStartedPayload>> {
    return ok(await this.rooms.startCall(clientOf(socket), body.roomId));
  }

  @ClientEvent('join-call')
  async joinCall(socket: RendezvousSocket, body: CallIdPayload): Promise<AckResponse<CallStatePayload>> {
    return ok(await this.rooms.joinCall(clientOf(socket), body.callId));
  }

  @ClientEvent('end-call')
  async endCall(socket: RendezvousSocket, body: CallIdPayload): Promise<AckResponse<CallStatePayload>> {
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
      sendFailure(socket, 'text', error, this.logger, ack);
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
    const refuse = (error: unknown) => sendFailure(socket, event, error, this.logger, ack);
    try {
      const receipt = relay();
      if (receipt instanceof Promise) receipt.then((data) => ack?.(ok(data)), refuse);
      else ack?.(ok(receipt));
    } catch (error) {
      refuse(error);
    }
  }
}
