import { Inject, Injectable } from '@nestjs/common';
import { ConnectionRegistry, RoomDelivery, SessionDelivery, toRoomInfo } from '@rendezvous/delivery';
import {
  type CallStartedPayload,
  type CallStatePayload,
  ErrorCode,
  type JoinRoomPayload,
  type RelayReceipt,
  type RoomInfoPayload,
  type RoomJoinedPayload,
  type TextPayload,
} from '@rendezvous/protocol';
import { type CallState, MultipartyRoomService } from '@rendezvous/rooms';
import { SignalingError } from '@rendezvous/signaling';
import type { Client, RoomMembership } from './client.js';
import { type Receipt, receiptOf } from './relay-receipt.js';

/** Camus' addressed messages between members of one room. */
export type MemberSignalEvent = 'offer' | 'answer' | 'icecandidate' | 'greeting';

export const callPayload = (call: CallState): CallStatePayload => ({
  callId: call.callId,
  roomId: call.roomId,
  participants: call.participants,
  active: call.participants.length > 0,
});

/**
 * A client in multiparty rooms (Camus, generic ws) and calls (Quibble), for every binding: joining, leaving,
 * calls, and the relays between members. The relays never wait on the database and, in the common case, not
 * on Redis either: they return nothing when delivered at once, and a promise when the live state is asked.
 */
@Injectable()
export class RoomSessions {
  constructor(
    @Inject(MultipartyRoomService) private readonly rooms: MultipartyRoomService,
    @Inject(RoomDelivery) private readonly delivery: RoomDelivery,
    @Inject(SessionDelivery) private readonly sessions: SessionDelivery,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
  ) {}

  /** `alias`: the client's id in its own protocol (seed 004's `userId`), by which others may address it. */
  async join(client: Client, body: JoinRoomPayload, alias?: string): Promise<RoomJoinedPayload> {
    const session = await client.currentSession();
    client.assertMayJoinRoom(body.roomId);
    const username = client.nameFor(body.name ?? client.room?.username ?? session.name);
    const previous = client.room?.id;
    const request = { ...body, username, clientAddress: session.address, alias };
    const joined = await this.rooms.join(session.id, request, ({ room }) => {
      if (previous && previous !== room.id) {
        this.connections.leaveRoom(previous, client);
        client.call = null;
      }
      this.connections.joinRoom(room.id, client);
      client.room = { id: room.id, username };
    });
    if (previous && previous !== joined.room.id) this.delivery.release(previous);
    if (!client.link.isOpen) {
      // Closed while joining, before its departure could know the room: leave it, or it stays a ghost member.
      await this.leave(client);
      throw new SignalingError(ErrorCode.NotInRoom);
    }
    this.delivery.catchUp(client, joined.room.id, joined.roster.version);
    return {
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
    };
  }

  async roster(client: Client): Promise<RoomInfoPayload> {
    return toRoomInfo(await this.rooms.roster(roomOf(client).id));
  }

  async rename(client: Client, requested: string): Promise<RoomInfoPayload> {
    const session = await client.currentSession();
    const room = roomOf(client);
    const username = client.nameFor(requested);
    const roster = await this.rooms.rename(session.id, username);
    client.room = { id: room.id, username };
    return toRoomInfo(roster);
  }

  /** Camus' `bye`: leaves its room (and call), and the room hears `bye`. The id of the room left, if any. */
  async bye(client: Client): Promise<string | null> {
    const session = await client.currentSession();
    const room = client.room;
    if (!room) return null;
    await this.leave(client);
    this.delivery.toRoom(room.id, 'bye', { sender: session.id, roomId: room.id });
    return room.id;
  }

  /** Leaves its room and call: on `bye`, and when the client goes. */
  async leave(client: Client): Promise<void> {
    const { room, session } = client;
    if (!room || !session) return;
    client.room = null;
    client.call = null;
    this.connections.leaveRoom(room.id, client);
    try {
      await this.rooms.leave(session.id);
    } finally {
      this.delivery.release(room.id);
    }
  }

  async startCall(client: Client, roomId: string): Promise<CallStartedPayload> {
    const session = await client.currentSession();
    if (client.room?.id !== roomId) throw new SignalingError(ErrorCode.NotInRoom);
    const call = await this.rooms.startCall(session.id, Date.now(), (started) => enterCall(client, started));
    return { callId: call.callId, roomId: call.roomId, by: call.startedBy };
  }

  async joinCall(client: Client, callId: string): Promise<CallStatePayload> {
    const session = await client.currentSession();
    if (!client.room) throw new SignalingError(ErrorCode.CallNotFound);
    return callPayload(await this.rooms.joinCall(session.id, callId, (joined) => enterCall(client, joined)));
  }

  async endCall(client: Client, callId: string): Promise<CallStatePayload> {
    const session = await client.currentSession();
    const current = client.call;
    if (current?.callId !== callId) throw new SignalingError(ErrorCode.NotInCall);
    client.call = null;
    const call = await this.rooms.leaveCall(session.id);
    return call
      ? callPayload(call)
      : { callId: current.callId, roomId: current.roomId, participants: [], active: false };
  }

  /** A member of the client's room named by its alias (seed 004's `userId`) or, failing that, its session id. */
  async memberCalled(client: Client, target: string): Promise<string> {
    return (await this.rooms.resolveAlias(roomOf(client).id, target)) ?? target;
  }

  /** The aliases of these members, where they have one. */
  aliasesOf(sessionIds: string[]): Promise<Map<string, string>> {
    return this.rooms.aliasesOf(sessionIds);
  }

  /** A session of a dead replica: its room and call are left, as its client's departure would have. */
  async reap(sessionId: string): Promise<void> {
    await this.rooms.leave(sessionId);
  }

  /** A resumed client takes up its seat (room and call) as the live state kept it; nothing is announced. */
  async resume(client: Client): Promise<void> {
    const seat = await this.rooms.seatOf(client.sessionId);
    if (!seat) return;
    client.room = { id: seat.roomId, username: seat.username };
    if (seat.call) enterCall(client, seat.call);
    this.connections.joinRoom(seat.roomId, client);
  }

  /** After the live state lost this client's membership (Redis restart): write it back and tell the room. */
  async restore(client: Client): Promise<void> {
    const { session, room, call } = client;
    if (!session || !room) return;
    await this.rooms.restore(room.id, { id: session.id, username: room.username }, call);
  }

  /** Camus' addressed message to one member of the sender's room, with the sender stamped by the server. */
  relayToMember(
    client: Client,
    event: MemberSignalEvent,
    receiver: string,
    data: unknown,
    requestedSeq?: number,
  ): Receipt<RelayReceipt> {
    const { session, room } = client;
    if (!session || !room) throw new SignalingError(ErrorCode.NotInRoom);
    const deliver = () => {
      const seq = client.nextRelaySeq(receiver, requestedSeq);
      return receiptOf(this.sessions.toSession(receiver, event, { sender: session.id, receiver, data, seq }), seq);
    };
    if (this.delivery.isMember(room.id, receiver)) return deliver();
    return this.rooms.isMember(room.id, receiver).then((member) => {
      if (!member) throw new SignalingError(ErrorCode.ReceiverNotInRoom);
      return deliver();
    });
  }

  /** Camus' `text` to the room: every member, the sender included, gets it with `sender` stamped. */
  relayText(client: Client, body: TextPayload): string {
    const { session, room } = client;
    if (!session || !room) throw new SignalingError(ErrorCode.NotInRoom);
    this.delivery.toRoom(room.id, 'text', {
      sender: session.id,
      from: body.from ?? room.username,
      time: body.time ?? Date.now(),
      text: body.text,
    });
    return room.id;
  }

  /** Quibble's `call-signal`: opaque, to one participant of the sender's own call. */
  relayCallSignal(
    client: Client,
    callId: string,
    target: string,
    signal: unknown,
    requestedSeq?: number,
  ): Receipt<RelayReceipt> {
    const session = client.session;
    if (!session || client.call?.callId !== callId) throw new SignalingError(ErrorCode.NotInCall);
    const deliver = () => {
      const seq = client.nextRelaySeq(target, requestedSeq);
      return receiptOf(this.sessions.toSession(target, 'call-signal', { callId, from: session.id, signal, seq }), seq);
    };
    if (this.delivery.inCall(callId, target)) return deliver();
    return this.rooms.getCall(callId).then((call) => {
      if (!call?.participants.includes(target)) throw new SignalingError(ErrorCode.TargetNotInCall);
      return deliver();
    });
  }
}

function roomOf(client: Client): RoomMembership {
  if (!client.room) throw new SignalingError(ErrorCode.NotInRoom);
  return client.room;
}

function enterCall(client: Client, call: CallState): void {
  client.call = { callId: call.callId, roomId: call.roomId, startedBy: call.startedBy, startedAt: call.startedAt };
}
