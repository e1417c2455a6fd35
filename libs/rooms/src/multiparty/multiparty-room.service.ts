import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { attemptLimited, CLIENT_LIMITS, type ClientLimiter } from '@rendezvous/limits';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { ErrorCode } from '@rendezvous/protocol';
import { randomBase36Id, SignalingError } from '@rendezvous/signaling';
import { type MultipartyRoomRecord, MULTIPARTY_ROOM_STORE, type MultipartyRoomStore } from './multiparty-room.store.js';
import {
  type CallState,
  MULTIPARTY_STATE,
  type MultipartyState,
  type RoomDeparture,
  type RoomMember,
  type RoomOverview,
  type Roster,
} from './multiparty-state.port.js';
import { hashPassword, PasswordWork, verifyPassword } from './password.js';

/** How room and call changes reach members, on whichever replica they sit. */
export interface MultipartyDelivery {
  rosterChanged(roster: Roster): void;
  /** `started` on a call's first state, so members hear `call-started` before its `call-state`. */
  callChanged(call: CallState, started: boolean): void;
}
export const MULTIPARTY_DELIVERY = Symbol('MULTIPARTY_DELIVERY');

export interface JoinRoomRequest {
  roomId: string;
  username: string;
  /** The joining client's address: its failed passwords and the rooms it creates are counted by it. */
  clientAddress: string;
  password?: string;
  /** Used only when this join creates the room. */
  roomName?: string;
  isPublic?: boolean;
  guestLimit?: number;
  /** The id the client goes by in its own protocol (seed 004's `userId`), unique in the room: the latest holds it. */
  alias?: string;
}

export interface JoinedRoom {
  room: { id: string; name: string };
  roster: Roster;
  calls: CallState[];
}

export interface PublicRoom {
  id: string;
  name: string;
  members: number;
  /** Whether joining needs a password (never the password or its hash). */
  locked: boolean;
}

const PUBLIC_LIST_LIMIT = 100;

/**
 * Multiparty rooms (Camus, generic ws) and the calls inside them (Quibble). The room itself is durable (database);
 * who is inside and which calls are active is live state shared by every replica.
 */
@Injectable()
export class MultipartyRoomService {
  private readonly logger = new Logger('MultipartyRooms');
  private readonly passwords: PasswordWork;

  constructor(
    @Inject(MULTIPARTY_STATE) private readonly state: MultipartyState,
    @Inject(MULTIPARTY_ROOM_STORE) private readonly store: MultipartyRoomStore,
    @Inject(MULTIPARTY_DELIVERY) private readonly delivery: MultipartyDelivery,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Optional() @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter | null = null,
  ) {
    this.passwords = new PasswordWork(config.limits.passwordCheckConcurrency, config.limits.passwordCheckQueue);
  }

  /**
   * Creates the room on its first join. `beforeAnnounce` runs once the member holds its slot and before anyone is
   * told, so the caller can subscribe the socket to the room's deliveries.
   */
  async join(
    sessionId: string,
    request: JoinRoomRequest,
    beforeAnnounce: (joined: JoinedRoom) => void,
  ): Promise<JoinedRoom> {
    const room = await this.findOrCreate(request);
    if (room.passwordHash) await this.checkPassword(room.id, room.passwordHash, request);
    const maxMembers = this.config.rooms.maxMembers;
    const cap = room.guestLimit > 0 ? Math.min(room.guestLimit, maxMembers) : maxMembers;
    const member: RoomMember = { id: sessionId, username: request.username };
    const result = await this.state.joinRoom(room.id, member, cap, request.alias);
    if (result.status === 'full') throw new SignalingError(ErrorCode.RoomFull);
    const joined: JoinedRoom = { room: { id: room.id, name: room.name }, roster: result.roster, calls: result.calls };
    beforeAnnounce(joined);
    if (result.previous) this.announceDeparture(result.previous);
    this.delivery.rosterChanged(result.roster);
    this.touch(room.id);
    return joined;
  }

  /** Leaves the session's room and call (bye, disconnect, or its replica died); the room is told. */
  async leave(sessionId: string): Promise<RoomDeparture | null> {
    const departure = await this.state.leaveRoom(sessionId);
    if (departure) {
      this.announceDeparture(departure);
      this.touch(departure.roster.roomId);
    }
    return departure;
  }

  async rename(sessionId: string, username: string): Promise<Roster> {
    const roster = await this.state.renameMember(sessionId, username);
    if (!roster) throw new SignalingError(ErrorCode.NotInRoom);
    this.delivery.rosterChanged(roster);
    return roster;
  }

  roster(roomId: string): Promise<Roster> {
    return this.state.roster(roomId);
  }

  isMember(roomId: string, sessionId: string): Promise<boolean> {
    return this.state.isMember(roomId, sessionId);
  }

  resolveAlias(roomId: string, alias: string): Promise<string | null> {
    return this.state.resolveAlias(roomId, alias);
  }

  aliasesOf(sessionIds: string[]): Promise<Map<string, string>> {
    return this.state.aliasesOf(sessionIds);
  }

  /** Rooms with members, cluster-wide (at most `limit`): for status pages. */
  overview(limit: number): Promise<RoomOverview[]> {
    return this.state.overview(limit);
  }

  /** Public rooms with their live member counts: never passwords, hashes, or who is inside. */
  async publicRooms(): Promise<PublicRoom[]> {
    const rooms = await this.store.listPublic(PUBLIC_LIST_LIMIT);
    const counts = await this.state.memberCounts(rooms.map((room) => room.id));
    return rooms.map((room) => ({
      id: room.id,
      name: room.name,
      members: counts.get(room.id) ?? 0,
      locked: room.passwordHash !== null,
    }));
  }

  /** Starts a call in the session's room, leaving any call it was in; `beforeAnnounce` as in `join`. */
  async startCall(sessionId: string, now: number, beforeAnnounce: (call: CallState) => void): Promise<CallState> {
    const result = await this.state.startCall(randomBase36Id(16), sessionId, now);
    if (result.status !== 'started') throw new SignalingError(ErrorCode.NotInRoom);
    beforeAnnounce(result.call);
    if (result.previous) this.delivery.callChanged(result.previous, false);
    this.delivery.callChanged(result.call, true);
    return result.call;
  }

  /** Joins a call of the session's own room; a call elsewhere is reported as unknown, as a missing one is. */
  async joinCall(sessionId: string, callId: string, beforeAnnounce: (call: CallState) => void): Promise<CallState> {
    const result = await this.state.joinCall(callId, sessionId);
    if (result.status !== 'joined') throw new SignalingError(ErrorCode.CallNotFound);
    beforeAnnounce(result.call);
    if (result.previous) this.delivery.callChanged(result.previous, false);
    this.delivery.callChanged(result.call, false);
    return result.call;
  }

  async leaveCall(sessionId: string): Promise<CallState | null> {
    const call = await this.state.leaveCall(sessionId);
    if (call) this.delivery.callChanged(call, false);
    return call;
  }

  /** Where a resumed session sits: its room, its name there and its call (null when in no room). */
  async seatOf(sessionId: string): Promise<{ roomId: string; username: string; call: CallState | null } | null> {
    const membership = await this.state.membership(sessionId);
    if (!membership) return null;
    const roster = await this.state.roster(membership.roomId);
    const member = roster.members.find((entry) => entry.id === sessionId);
    if (!member) return null;
    const call = membership.callId ? await this.state.getCall(membership.callId) : null;
    return { roomId: membership.roomId, username: member.username, call };
  }

  getCall(callId: string): Promise<CallState | null> {
    return this.state.getCall(callId);
  }

  /** Writes a local member back after the live state lost it (Redis restart), and tells the room. */
  async restore(
    roomId: string,
    member: RoomMember,
    call: { callId: string; startedBy: string; startedAt: number } | null,
  ): Promise<void> {
    const restored = await this.state.restoreMember(roomId, member, call);
    this.delivery.rosterChanged(restored.roster);
    if (restored.call) this.delivery.callChanged(restored.call, false);
  }

  /**
   * A wrong password counts against the address and against the room (guesses spread over many addresses); either
   * locked out refuses before any scrypt work, which runs a few at a time.
   */
  private async checkPassword(roomId: string, hash: string, request: JoinRoomRequest): Promise<void> {
    await attemptLimited(
      this.limits,
      [
        ['failed-joins', request.clientAddress],
        ['room-password', roomId],
      ],
      async () => {
        const { password } = request;
        if (!password || !(await this.passwords.run(() => verifyPassword(password, hash)))) {
          throw new SignalingError(ErrorCode.WrongPassword);
        }
      },
      (error) => error instanceof SignalingError && error.code === ErrorCode.WrongPassword,
    );
  }

  private announceDeparture(departure: RoomDeparture): void {
    if (departure.call) this.delivery.callChanged(departure.call, false);
    this.delivery.rosterChanged(departure.roster);
  }

  private async findOrCreate(request: JoinRoomRequest): Promise<MultipartyRoomRecord> {
    const existing = await this.store.find(request.roomId);
    if (existing) return existing;
    // Creating rooms writes rows (and may list them publicly): ROOMS_CREATED_PER_HOUR per address.
    await this.limits?.take('rooms-created', request.clientAddress);
    const password = request.password;
    const now = new Date();
    const created: MultipartyRoomRecord = {
      id: request.roomId,
      name: request.roomName ?? request.roomId,
      passwordHash: password ? await this.passwords.run(() => hashPassword(password)) : null,
      guestLimit: request.guestLimit ?? 0,
      isPublic: request.isPublic ?? false,
      createdAt: now,
      lastActiveAt: now,
    };
    if ((await this.store.insert(created)) === 'created') return created;
    // Another replica created it first: its settings (and password) hold.
    const winner = await this.store.find(request.roomId);
    if (!winner) throw new SignalingError(ErrorCode.Unavailable);
    return winner;
  }

  /** Activity keeps a room from the scheduler's inactivity cleanup; never awaited by a member. */
  private touch(roomId: string): void {
    void this.store
      .touch(roomId, new Date())
      .catch((error: Error) => this.logger.warn(`Room ${roomId} activity not recorded: ${error.message}`));
  }
}
