import { Inject, Injectable } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { RoomInfoPayload } from '@rendezvous/protocol';
import type { CallState, MultipartyDelivery, Roster } from '@rendezvous/rooms';
import type { RendezvousServer, RendezvousSocket } from '../signaling/socket-delivery.js';

/** The Socket.IO room of a multiparty room's sockets (text broadcasts reach it through the adapter). */
export const multipartyRoom = (roomId: string) => `m:${roomId}`;

export const toRoomInfo = (roster: Roster): RoomInfoPayload => ({
  room_id: roster.roomId,
  clients: roster.members.map(({ id, username }) => ({ id, username })),
  version: roster.version,
});

const ENDED_CALL_MEMORY_MS = 30_000;

interface Known<T> {
  value: T;
  ids: Set<string>;
}

const isRoster = (value: unknown): value is Roster =>
  typeof (value as Roster)?.roomId === 'string' &&
  typeof (value as Roster).version === 'number' &&
  Array.isArray((value as Roster).members);

const isCall = (value: unknown): value is CallState =>
  typeof (value as CallState)?.callId === 'string' &&
  typeof (value as CallState).roomId === 'string' &&
  typeof (value as CallState).version === 'number' &&
  Array.isArray((value as CallState).participants);

/**
 * Delivers room and call changes. A change travels once to every replica (`serverSideEmit`), and each replica
 * tells its own members, newest version only, so `room-info` and `call-state` never go backwards for a client.
 *
 * The rosters and calls a replica last delivered are also the relay's membership check: a receiver or target
 * that is there needs no lookup (only rooms with local members are kept, and for as long as they have them).
 */
@Injectable()
export class MultipartySocketDelivery implements MultipartyDelivery {
  private server: RendezvousServer | null = null;
  private readonly rosters = new Map<string, Known<Roster>>();
  /** Includes recently ended calls (no participants), so a late older state cannot revive them. */
  private readonly calls = new Map<string, Known<CallState>>();

  constructor(@Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig) {}

  attach(server: RendezvousServer): void {
    this.server = server;
    server.on('room-roster', (roster: unknown) => {
      if (isRoster(roster)) this.applyRoster(roster);
    });
    server.on('call-changed', (change: { call?: unknown; started?: unknown }) => {
      if (isCall(change?.call)) this.applyCall(change.call, change.started === true);
    });
  }

  rosterChanged(roster: Roster): void {
    this.applyRoster(roster);
    if (this.config.mode === 'cluster') this.server?.serverSideEmit('room-roster', roster);
  }

  callChanged(call: CallState, started: boolean): void {
    this.applyCall(call, started);
    if (this.config.mode === 'cluster') this.server?.serverSideEmit('call-changed', { call, started });
  }

  /** A joiner may have missed a roster newer than its own join's (delivered before it was subscribed). */
  catchUp(socket: RendezvousSocket, roomId: string, joinedVersion: number): void {
    const known = this.rosters.get(roomId);
    if (known && known.value.version > joinedVersion) socket.emit('room-info', toRoomInfo(known.value));
  }

  /** Whether the last roster this replica delivered has the member; undefined when it has none for the room. */
  isMember(roomId: string, sessionId: string): boolean | undefined {
    return this.rosters.get(roomId)?.ids.has(sessionId);
  }

  /** Whether the last state of the call this replica delivered has the participant; undefined when unknown. */
  inCall(callId: string, sessionId: string): boolean | undefined {
    return this.calls.get(callId)?.ids.has(sessionId);
  }

  /** Called after a local socket left a room: drops what this replica kept for it once none is left. */
  release(roomId: string): void {
    if (this.localMembers(roomId) > 0) return;
    this.rosters.delete(roomId);
    for (const [callId, known] of this.calls) if (known.value.roomId === roomId) this.calls.delete(callId);
  }

  private localMembers(roomId: string): number {
    return this.server?.of('/').adapter.rooms.get(multipartyRoom(roomId))?.size ?? 0;
  }

  private applyRoster(roster: Roster): void {
    if (!this.server || this.localMembers(roster.roomId) === 0) return this.release(roster.roomId);
    const known = this.rosters.get(roster.roomId);
    if (known && known.value.version >= roster.version) return;
    this.rosters.set(roster.roomId, { value: roster, ids: new Set(roster.members.map((member) => member.id)) });
    this.server.local.to(multipartyRoom(roster.roomId)).emit('room-info', toRoomInfo(roster));
  }

  private applyCall(call: CallState, started: boolean): void {
    if (!this.server || this.localMembers(call.roomId) === 0) return;
    const known = this.calls.get(call.callId);
    if (known && known.value.version >= call.version) return;
    this.calls.set(call.callId, { value: call, ids: new Set(call.participants) });
    if (call.participants.length === 0) {
      // An ended call is kept only as long as an older state of it could still be on its way.
      setTimeout(() => {
        if (this.calls.get(call.callId)?.value === call) this.calls.delete(call.callId);
      }, ENDED_CALL_MEMORY_MS).unref();
    }
    const members = this.server.local.to(multipartyRoom(call.roomId));
    if (started) members.emit('call-started', { callId: call.callId, roomId: call.roomId, by: call.startedBy });
    members.emit('call-state', {
      callId: call.callId,
      roomId: call.roomId,
      participants: call.participants,
      active: call.participants.length > 0,
    });
  }
}
