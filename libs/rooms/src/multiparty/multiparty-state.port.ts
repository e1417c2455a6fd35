/** A member of a multiparty room as the room shows it. */
export interface RoomMember {
  id: string;
  username: string;
}

/**
 * Who is in a room. `version` grows with every change (it starts from the store's clock, so it keeps growing
 * after the live state is lost and rebuilt); a replica never delivers an older roster after a newer one.
 */
export interface Roster {
  roomId: string;
  version: number;
  members: RoomMember[];
}

/** A call inside a multiparty room; `participants` empty means the call has ended. */
export interface CallState {
  callId: string;
  roomId: string;
  startedBy: string;
  startedAt: number;
  version: number;
  participants: string[];
}

/** What a departure from a room changed: the room's roster, and the call the member was in, if any. */
export interface RoomDeparture {
  roster: Roster;
  call: CallState | null;
}

export type JoinRoomResult =
  { status: 'joined'; roster: Roster; calls: CallState[]; previous: RoomDeparture | null } | { status: 'full' };

export type StartCallResult =
  { status: 'started'; call: CallState; previous: CallState | null } | { status: 'not-in-room' };

export type JoinCallResult =
  | { status: 'joined'; call: CallState; previous: CallState | null }
  | { status: 'not-found' }
  | { status: 'not-in-room' };

/** A room and its members with the time each joined (ms; null when unknown), for status pages. */
export interface RoomOverview {
  roomId: string;
  members: (RoomMember & { joinedAt: number | null; alias: string | null })[];
}

/** Where a session sits, kept so a survivor can clean up after a dead replica. */
export interface Membership {
  roomId: string;
  callId: string | null;
}

/**
 * Live membership of multiparty rooms and their calls, cluster-wide. A session is in at most one room and at
 * most one call (of that room). Every change is atomic: two replicas racing for a room's last slot cannot both
 * win. Implemented in memory (standalone) and in Redis (cluster); both pass one contract suite.
 */
export interface MultipartyState {
  /**
   * Joins (or re-joins, keeping the slot) leaving any other room first; `full` when `cap` members are in. An
   * `alias` is the member's id in its own protocol; a later member with the same alias takes it over.
   */
  joinRoom(roomId: string, member: RoomMember, cap: number, alias?: string): Promise<JoinRoomResult>;
  /** The session that holds `alias` in the room (seed 004's `userId`), if any. */
  resolveAlias(roomId: string, alias: string): Promise<string | null>;
  /** The aliases of these sessions, for those that have one. */
  aliasesOf(sessionIds: string[]): Promise<Map<string, string>>;
  /** Leaves the session's room (and its call); null when it was in none. */
  leaveRoom(sessionId: string): Promise<RoomDeparture | null>;
  renameMember(sessionId: string, username: string): Promise<Roster | null>;
  roster(roomId: string): Promise<Roster>;
  isMember(roomId: string, sessionId: string): Promise<boolean>;
  membership(sessionId: string): Promise<Membership | null>;
  memberCounts(roomIds: string[]): Promise<Map<string, number>>;

  startCall(callId: string, sessionId: string, nowMs: number): Promise<StartCallResult>;
  /** Joins a call of the session's own room, leaving any other call first. */
  joinCall(callId: string, sessionId: string): Promise<JoinCallResult>;
  /** Leaves the session's call; the call's state after it (ended when no participant is left), or null. */
  leaveCall(sessionId: string): Promise<CallState | null>;
  getCall(callId: string): Promise<CallState | null>;

  /** Writes a member (and its call) back after the live state lost it; no cap applies to one already inside. */
  restoreMember(
    roomId: string,
    member: RoomMember,
    call: { callId: string; startedBy: string; startedAt: number } | null,
  ): Promise<{ roster: Roster; call: CallState | null }>;
  counts(): Promise<{ rooms: number; calls: number }>;
  /** Rooms with members (at most `limit`, by id) and who is in them; read room by room, not one snapshot. */
  overview(limit: number): Promise<RoomOverview[]>;
}

export const MULTIPARTY_STATE = Symbol('MULTIPARTY_STATE');
