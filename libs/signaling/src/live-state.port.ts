/** A connected client as the cluster knows it. */
export interface SessionRecord {
  id: string;
  name: string;
  replicaId: string;
  address: string;
  group: string;
}

/** A session seen from its network's presence list; `busy` means it sits in a full flight. */
export interface PresenceEntry {
  id: string;
  name: string;
  busy: boolean;
}

export interface FlightMember {
  id: string;
  name: string;
  address: string;
  group: string;
}

export interface FlightRecord {
  code: string;
  /** Unique per flight instance, so a flight is never taken for a later one with the same code. */
  token: string;
  members: string[];
}

export type CreateFlightResult =
  { status: 'created' } | { status: 'code-taken' } | { status: 'already-in-flight' } | { status: 'no-session' };

export type JoinFlightResult =
  | { status: 'joined'; token: string; others: FlightMember[] }
  | { status: 'already-in-flight' }
  | { status: 'not-found' }
  /** Both seats taken: the code is real (a lost race, not a guess), though clients hear the same answer. */
  | { status: 'full' }
  | { status: 'no-session' };

export interface LeaveFlightResult {
  code: string;
  token: string;
  /** Members still in the flight; empty when the flight was deleted. */
  remaining: FlightMember[];
}

export interface RemovedSession {
  session: SessionRecord;
  flight: LeaveFlightResult | null;
}

/** A session taken up by a new replica (parked, or taken over from another), with the flight it is still in. */
export interface ResumedSession {
  session: SessionRecord;
  flight: { code: string; token: string; peer: FlightMember | null } | null;
  /** The replica that held it live until now (to be told to let go); null when it was parked. */
  takenFrom: string | null;
}

/** What became of a message for a session its sender's replica does not hold. */
export type OutboxResult =
  /** Kept for the session (parked, or its replica not answering) until it is taken up. */
  | 'queued'
  /** The session is held and subscribed again: publish it once more. */
  | 'held'
  /** The outbox is at its cap: refused. */
  | 'full'
  /** No such session (ended, or the grace ran out): refused. */
  | 'gone';

/** A room channel's slot taken: the session it was taken from (still live), and the one in the other slot. */
export interface RoomChannelAttached {
  displaced: string | null;
  other: FlightMember | null;
}

/** A room channel's slot given up: `displaced` when another session had taken it meanwhile (nothing changed). */
export interface RoomChannelDetached {
  displaced: boolean;
  other: FlightMember | null;
}

export interface ClusterCounts {
  sessions: number;
  flights: number;
  replicas: { id: string; sessions: number; lastHeartbeat: number }[];
}

/** Sessions: who is connected, where, under which name. */
export interface SessionStore {
  /** Stores a new session with the digest of its resume credential. */
  registerSession(session: SessionRecord, resumeDigest: string): Promise<void>;
  renameSession(id: string, name: string): Promise<SessionRecord | null>;
  getSession(id: string): Promise<SessionRecord | null>;
  /**
   * Leaves any flight and drops the session from presence and its replica. With `owner`, only while that
   * replica holds it live (not parked, not taken over): a replica never ends a session it lost.
   */
  removeSession(id: string, flightTtlMs: number, nowMs: number, owner?: string): Promise<RemovedSession | null>;
  /**
   * Re-writes a session (and its flight membership) after Redis lost it, e.g. on restart; one parked by a
   * survivor that took this replica for dead is taken back. False, and nothing written, when the live state gives
   * the session to another replica (its client took it over).
   */
  restoreSession(
    session: SessionRecord,
    resumeDigest: string,
    flight: { code: string; token: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<boolean>;
  /** Session ids the live state attributes to a replica. */
  sessionsOf(replicaId: string): Promise<string[]>;
}

/** Presence: each network's list of sessions (DropSilk's `users-on-network-update`). */
export interface PresenceStore {
  listNetwork(group: string): Promise<PresenceEntry[]>;
  /** Keeps a session out of its network's presence list (DropSilk's screen-share and chat sockets). */
  hideFromPresence(sessionId: string): Promise<void>;
}

/** Flights: two sessions paired by a code. */
export interface FlightStore {
  createFlight(
    code: string,
    token: string,
    sessionId: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<CreateFlightResult>;
  joinFlight(code: string, sessionId: string): Promise<JoinFlightResult>;
  leaveFlight(sessionId: string, ttlMs: number, nowMs: number): Promise<LeaveFlightResult | null>;
  getFlight(code: string, nowMs: number): Promise<FlightRecord | null>;
}

/** Transfer-room channels: the host and guest slots of one channel of a DropSilk room. */
export interface RoomChannelStore {
  /**
   * Puts a session in the `role` slot of a room channel (a DropSilk room's transfer, screen-share or chat
   * pairing), replacing whichever session held that slot (returned as `displaced`, so it can be told), and the
   * session in the other slot, if it is live.
   */
  attachRoomChannel(
    key: string,
    role: 'host' | 'guest',
    sessionId: string,
    ttlMs: number,
    /** Opaque description kept with the session, so a survivor can detach it when the session's replica dies. */
    attachment: string,
  ): Promise<RoomChannelAttached>;
  /** The description stored by the session's last attachRoomChannel, while the session exists. */
  attachmentOf(sessionId: string): Promise<string | null>;
  /** Empties the slot if this session holds it; the session in the other slot, if any. */
  detachRoomChannel(key: string, role: 'host' | 'guest', sessionId: string): Promise<RoomChannelDetached>;
}

/** Parked sessions: kept for their clients to resume them on another replica. */
export interface ParkingStore {
  /**
   * Keeps a session held by `heldBy` (a draining or dead replica), flight, rooms and presence included, for its
   * client to resume on another replica until `untilMs`; it no longer counts as that replica's. `resumeDigest`
   * replaces the stored credential's digest (null keeps it). False when the session is unknown or no longer
   * `heldBy`'s (taken over meanwhile).
   */
  parkSession(id: string, heldBy: string, resumeDigest: string | null, untilMs: number): Promise<boolean>;
  /**
   * Moves a session to `replicaId` if the digest matches: a parked one while its grace lasts, or one another
   * replica still holds (takeover: that replica may be dead, partitioned or slow). The digest becomes
   * `nextDigest` (credentials are single-use). Atomic: of two replicas racing with one credential, one wins.
   */
  resumeSession(
    id: string,
    resumeDigest: string,
    nextDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null>;
  /** Parked sessions whose grace ended by `nowMs`. */
  expiredParkedSessions(nowMs: number): Promise<string[]>;
  /** removeSession, only while the session is still parked (so one replica removes it, and never a resumed one). */
  removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null>;
}

/**
 * Outboxes: messages for sessions no replica is delivering to right now (parked, or held by a replica that
 * does not answer), kept in order with the session, bounded, until the replica that takes it up drains them.
 */
export interface OutboxStore {
  /**
   * Appends an encoded message for the session, unless it is held by a subscribed replica (`held`, and then
   * `force` appends anyway), its outbox has `cap` messages (`full`) or it does not exist (`gone`). The outbox
   * lives at most `ttlMs` after its last append (and ends with its session).
   */
  append(sessionId: string, message: Buffer, cap: number, ttlMs: number, force: boolean): Promise<OutboxResult>;
  /** Takes (removes and returns, oldest first) what was queued, and marks the session held from now on. */
  take(sessionId: string): Promise<Buffer[]>;
}

/** Replicas: heartbeats, the dead, and who reaps them. */
export interface ReplicaRegistry {
  /** Records a heartbeat; false when the replica was unknown (new, reaped, or Redis lost its state). */
  heartbeat(replicaId: string, nowMs: number): Promise<boolean>;
  deadReplicas(nowMs: number, timeoutMs: number): Promise<string[]>;
  /**
   * Takes the reaping lock of a dead replica for `holder` (the reaping replica's id); its session ids, or null when
   * another replica holds the lock.
   */
  claimDeadReplica(replicaId: string, lockMs: number, holder: string): Promise<string[] | null>;
  /** Extends `holder`'s reaping lock of a dead replica; false when the lock is no longer its own. */
  renewReapLock(replicaId: string, lockMs: number, holder: string): Promise<boolean>;
  forgetReplica(replicaId: string): Promise<void>;
  counts(nowMs: number): Promise<ClusterCounts>;
  ping(): Promise<void>;
}

/**
 * Live cluster state, one store per role, all over the same data (one backend: in memory standalone, Redis in
 * a cluster, chosen once in ClusterModule; both pass the same contract suite). Every method that changes more
 * than one record is atomic, so replicas racing on the same flight or slot cannot both win. Consumers name the
 * roles they use: `Pick<LiveState, 'presence'>`.
 */
export interface LiveState {
  readonly sessions: SessionStore;
  readonly presence: PresenceStore;
  readonly flights: FlightStore;
  readonly roomChannels: RoomChannelStore;
  readonly parking: ParkingStore;
  readonly outboxes: OutboxStore;
  readonly replicas: ReplicaRegistry;
}

export const LIVE_STATE = Symbol('LIVE_STATE');
