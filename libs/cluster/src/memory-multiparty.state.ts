import type {
  CallState,
  JoinCallResult,
  JoinRoomResult,
  Membership,
  MultipartyState,
  RoomDeparture,
  RoomMember,
  Roster,
  StartCallResult,
  RoomOverview,
} from '@rendezvous/rooms';

interface StoredRoom {
  members: Map<string, string>;
  calls: Set<string>;
}
interface StoredCall {
  roomId: string;
  startedBy: string;
  startedAt: number;
  participants: string[];
}

/** Versions start from the clock (in microseconds), as the Redis store's do. */
const clockVersion = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

/** Standalone multiparty state; each method runs to completion between awaits, so each is atomic. */
export class MemoryMultipartyState implements MultipartyState {
  private readonly rooms = new Map<string, StoredRoom>();
  private readonly calls = new Map<string, StoredCall>();
  private readonly memberships = new Map<string, Membership>();
  private readonly versions = new Map<string, number>();
  /** Session id -> when it joined its room (ms). */
  private readonly joinedAt = new Map<string, number>();
  /** Session id -> its alias; `room\nalias` -> the session holding it. */
  private readonly aliases = new Map<string, string>();
  private readonly aliasHolders = new Map<string, string>();

  async joinRoom(roomId: string, member: RoomMember, cap: number, alias?: string): Promise<JoinRoomResult> {
    const current = this.memberships.get(member.id);
    const room = this.rooms.get(roomId);
    const rejoining = current?.roomId === roomId;
    if (!rejoining && (room?.members.size ?? 0) >= cap) return { status: 'full' };
    const previous = current && !rejoining ? this.leave(member.id) : null;
    const target = this.roomOf(roomId);
    target.members.set(member.id, member.username);
    if (!rejoining) {
      this.memberships.set(member.id, { roomId, callId: null });
      this.joinedAt.set(member.id, Date.now());
    }
    if (alias) {
      this.aliases.set(member.id, alias);
      this.aliasHolders.set(`${roomId}\n${alias}`, member.id);
    }
    const calls = [...target.calls].map((callId) => this.callState(callId, this.currentVersion(`c:${callId}`)));
    return { status: 'joined', roster: this.rosterOf(roomId, this.bump(`r:${roomId}`)), calls, previous };
  }

  async leaveRoom(sessionId: string): Promise<RoomDeparture | null> {
    return this.leave(sessionId);
  }

  async renameMember(sessionId: string, username: string): Promise<Roster | null> {
    const membership = this.memberships.get(sessionId);
    if (!membership) return null;
    this.roomOf(membership.roomId).members.set(sessionId, username);
    return this.rosterOf(membership.roomId, this.bump(`r:${membership.roomId}`));
  }

  async roster(roomId: string): Promise<Roster> {
    return this.rosterOf(roomId, this.currentVersion(`r:${roomId}`));
  }

  async isMember(roomId: string, sessionId: string): Promise<boolean> {
    return this.rooms.get(roomId)?.members.has(sessionId) ?? false;
  }

  async membership(sessionId: string): Promise<Membership | null> {
    const membership = this.memberships.get(sessionId);
    return membership ? { ...membership } : null;
  }

  async memberCounts(roomIds: string[]): Promise<Map<string, number>> {
    return new Map(roomIds.map((id) => [id, this.rooms.get(id)?.members.size ?? 0]));
  }

  async startCall(callId: string, sessionId: string, nowMs: number): Promise<StartCallResult> {
    const membership = this.memberships.get(sessionId);
    if (!membership) return { status: 'not-in-room' };
    const previous = this.leaveCallOf(sessionId);
    this.calls.set(callId, { roomId: membership.roomId, startedBy: sessionId, startedAt: nowMs, participants: [] });
    this.roomOf(membership.roomId).calls.add(callId);
    return { status: 'started', call: this.enterCall(callId, sessionId), previous };
  }

  async joinCall(callId: string, sessionId: string): Promise<JoinCallResult> {
    const call = this.calls.get(callId);
    if (!call) return { status: 'not-found' };
    const membership = this.memberships.get(sessionId);
    if (membership?.roomId !== call.roomId) return { status: 'not-in-room' };
    if (membership.callId === callId) {
      return { status: 'joined', call: this.callState(callId, this.currentVersion(`c:${callId}`)), previous: null };
    }
    const previous = this.leaveCallOf(sessionId);
    return { status: 'joined', call: this.enterCall(callId, sessionId), previous };
  }

  async leaveCall(sessionId: string): Promise<CallState | null> {
    return this.leaveCallOf(sessionId);
  }

  async getCall(callId: string): Promise<CallState | null> {
    return this.calls.has(callId) ? this.callState(callId, this.currentVersion(`c:${callId}`)) : null;
  }

  async restoreMember(
    roomId: string,
    member: RoomMember,
    call: { callId: string; startedBy: string; startedAt: number } | null,
  ): Promise<{ roster: Roster; call: CallState | null }> {
    this.roomOf(roomId).members.set(member.id, member.username);
    this.memberships.set(member.id, { roomId, callId: null });
    if (!this.joinedAt.has(member.id)) this.joinedAt.set(member.id, Date.now());
    const roster = this.rosterOf(roomId, this.bump(`r:${roomId}`));
    if (!call) return { roster, call: null };
    if (!this.calls.has(call.callId)) {
      this.calls.set(call.callId, { roomId, startedBy: call.startedBy, startedAt: call.startedAt, participants: [] });
      this.roomOf(roomId).calls.add(call.callId);
    }
    return { roster, call: this.enterCall(call.callId, member.id) };
  }

  async overview(limit: number): Promise<RoomOverview[]> {
    return [...this.rooms.keys()]
      .filter((roomId) => (this.rooms.get(roomId)?.members.size ?? 0) > 0)
      .sort()
      .slice(0, limit)
      .map((roomId) => ({
        roomId,
        members: [...(this.rooms.get(roomId)?.members ?? [])].map(([id, username]) => ({
          id,
          username,
          joinedAt: this.joinedAt.get(id) ?? null,
          alias: this.aliases.get(id) ?? null,
        })),
      }));
  }

  async resolveAlias(roomId: string, alias: string): Promise<string | null> {
    return this.aliasHolders.get(`${roomId}\n${alias}`) ?? null;
  }

  async aliasesOf(sessionIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of sessionIds) {
      const alias = this.aliases.get(id);
      if (alias !== undefined) found.set(id, alias);
    }
    return found;
  }

  async counts(): Promise<{ rooms: number; calls: number }> {
    return { rooms: this.rooms.size, calls: this.calls.size };
  }

  private roomOf(roomId: string): StoredRoom {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = { members: new Map(), calls: new Set() }));
    return room;
  }

  private leave(sessionId: string): RoomDeparture | null {
    const membership = this.memberships.get(sessionId);
    if (!membership) return null;
    const call = this.leaveCallOf(sessionId);
    this.memberships.delete(sessionId);
    this.joinedAt.delete(sessionId);
    const alias = this.aliases.get(sessionId);
    const holderKey = `${membership.roomId}\n${alias}`;
    if (alias !== undefined && this.aliasHolders.get(holderKey) === sessionId) this.aliasHolders.delete(holderKey);
    this.aliases.delete(sessionId);
    const room = this.roomOf(membership.roomId);
    room.members.delete(sessionId);
    const roster = this.rosterOf(membership.roomId, this.bump(`r:${membership.roomId}`));
    this.dropIfEmpty(membership.roomId);
    return { roster, call };
  }

  private enterCall(callId: string, sessionId: string): CallState {
    const call = this.calls.get(callId) as StoredCall;
    if (!call.participants.includes(sessionId)) call.participants.push(sessionId);
    (this.memberships.get(sessionId) as Membership).callId = callId;
    return this.callState(callId, this.bump(`c:${callId}`));
  }

  private leaveCallOf(sessionId: string): CallState | null {
    const membership = this.memberships.get(sessionId);
    const callId = membership?.callId;
    if (!membership || !callId) return null;
    membership.callId = null;
    const call = this.calls.get(callId);
    if (!call) return null;
    call.participants = call.participants.filter((id) => id !== sessionId);
    const state = this.callState(callId, this.bump(`c:${callId}`));
    if (call.participants.length === 0) {
      this.calls.delete(callId);
      this.versions.delete(`c:${callId}`);
      this.rooms.get(call.roomId)?.calls.delete(callId);
      this.dropIfEmpty(call.roomId);
    }
    return state;
  }

  /** An empty room is forgotten; its next version starts again from the clock, which is past the last one. */
  private dropIfEmpty(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (room && room.members.size === 0 && room.calls.size === 0) {
      this.rooms.delete(roomId);
      this.versions.delete(`r:${roomId}`);
    }
  }

  private callState(callId: string, version: number): CallState {
    const call = this.calls.get(callId) as StoredCall;
    return {
      callId,
      roomId: call.roomId,
      startedBy: call.startedBy,
      startedAt: call.startedAt,
      version,
      participants: [...call.participants],
    };
  }

  private rosterOf(roomId: string, version: number): Roster {
    const members = [...(this.rooms.get(roomId)?.members ?? [])].map(([id, username]) => ({ id, username }));
    return { roomId, version, members };
  }

  private currentVersion(key: string): number {
    return this.versions.get(key) ?? 0;
  }

  private bump(key: string): number {
    const next = Math.max(this.currentVersion(key) + 1, clockVersion());
    this.versions.set(key, next);
    return next;
  }
}
