import { Inject, Injectable } from '@nestjs/common';
import type { RoomInfoPayload } from '@rendezvous/protocol';
import type { CallState, MultipartyDelivery, Roster } from '@rendezvous/rooms';
import type { ClientConnection, ClientEvent, ClientPayload } from './client-connection.js';
import { CLUSTER_BUS, type ClusterBus } from './cluster-bus.js';
import { ConnectionRegistry } from './connection-registry.js';

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

interface RoomEvent {
  roomId: string;
  event: ClientEvent;
  payload: unknown;
}
const isRoomEvent = (value: unknown): value is RoomEvent =>
  typeof (value as RoomEvent)?.roomId === 'string' && typeof (value as RoomEvent).event === 'string';

/**
 * Delivers multiparty room and call changes, and room-wide events, to the members of every binding. A change
 * travels once to every replica (a bus broadcast), and each replica tells its own members, newest version only,
 * so `room-info` and `call-state` never go backwards for a client.
 *
 * The rosters and calls a replica last delivered are also the relay's membership check: a receiver or target
 * that is there needs no lookup (only rooms with local members are kept, and for as long as they have them).
 */
@Injectable()
export class RoomDelivery implements MultipartyDelivery {
  private readonly rosters = new Map<string, Known<Roster>>();
  /** Includes recently ended calls (no participants), so a late older state cannot revive them. */
  private readonly calls = new Map<string, Known<CallState>>();

  constructor(
    @Inject(CLUSTER_BUS) private readonly bus: ClusterBus,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
  ) {
    bus.onBroadcast((topic, payload) => {
      if (topic === 'room-roster' && isRoster(payload)) this.applyRoster(payload);
      else if (topic === 'call-changed') {
        const change = payload as { call?: unknown; started?: unknown };
        if (isCall(change?.call)) this.applyCall(change.call, change.started === true);
      } else if (topic === 'room-event' && isRoomEvent(payload)) this.sendToMembers(payload);
    });
  }

  rosterChanged(roster: Roster): void {
    this.applyRoster(roster);
    this.bus.broadcast('room-roster', roster);
  }

  callChanged(call: CallState, started: boolean): void {
    this.applyCall(call, started);
    this.bus.broadcast('call-changed', { call, started });
  }

  /** An event for every member of a room, on every replica. */
  toRoom<E extends ClientEvent>(roomId: string, event: E, payload: ClientPayload<E>): void {
    const roomEvent = { roomId, event, payload };
    this.sendToMembers(roomEvent);
    this.bus.broadcast('room-event', roomEvent);
  }

  /** A joiner may have missed a roster newer than its own join's (delivered before it was registered). */
  catchUp(connection: ClientConnection, roomId: string, joinedVersion: number): void {
    const known = this.rosters.get(roomId);
    if (known && known.value.version > joinedVersion) connection.send('room-info', toRoomInfo(known.value));
  }

  /** Whether the last roster this replica delivered has the member; undefined when it has none for the room. */
  isMember(roomId: string, sessionId: string): boolean | undefined {
    return this.rosters.get(roomId)?.ids.has(sessionId);
  }

  /** Whether the last state of the call this replica delivered has the participant; undefined when unknown. */
  inCall(callId: string, sessionId: string): boolean | undefined {
    return this.calls.get(callId)?.ids.has(sessionId);
  }

  /** Called after a local connection left a room: drops what this replica kept for it once none is left. */
  release(roomId: string): void {
    if (this.connections.inRoom(roomId)) return;
    this.rosters.delete(roomId);
    for (const [callId, known] of this.calls) if (known.value.roomId === roomId) this.calls.delete(callId);
  }

  private sendToMembers({ roomId, event, payload }: RoomEvent): void {
    for (const member of this.connections.inRoom(roomId) ?? []) member.send(event, payload as never);
  }

  private applyRoster(roster: Roster): void {
    const members = this.connections.inRoom(roster.roomId);
    if (!members) return this.release(roster.roomId);
    const known = this.rosters.get(roster.roomId);
    if (known && known.value.version >= roster.version) return;
    this.rosters.set(roster.roomId, { value: roster, ids: new Set(roster.members.map((member) => member.id)) });
    const info = toRoomInfo(roster);
    for (const member of members) member.send('room-info', info);
  }

  private applyCall(call: CallState, started: boolean): void {
    const members = this.connections.inRoom(call.roomId);
    if (!members) return;
    const known = this.calls.get(call.callId);
    if (known && known.value.version >= call.version) return;
    this.calls.set(call.callId, { value: call, ids: new Set(call.participants) });
    if (call.participants.length === 0) {
      // An ended call is kept only as long as an older state of it could still be on its way.
      setTimeout(() => {
        if (this.calls.get(call.callId)?.value === call) this.calls.delete(call.callId);
      }, ENDED_CALL_MEMORY_MS).unref();
    }
    const state = {
      callId: call.callId,
      roomId: call.roomId,
      participants: call.participants,
      active: call.participants.length > 0,
    };
    for (const member of members) {
      if (started) member.send('call-started', { callId: call.callId, roomId: call.roomId, by: call.startedBy });
      member.send('call-state', state);
    }
  }
}
