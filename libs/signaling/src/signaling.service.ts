import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { createHash, randomBytes } from 'node:crypto';
import { type ConnectionType, ErrorCode, type RoomChannel, type ServerToClientEvents } from '@rendezvous/protocol';
import { generateDisplayName, generateFlightCode, generateFlightToken, generateSessionId } from './identifiers.js';
import {
  type FlightMember,
  LIVE_STATE,
  type LeaveFlightResult,
  type LiveState,
  type RemovedSession,
  type ResumedSession,
  type SessionRecord,
} from './live-state.port.js';
import {
  FLIGHT_STORIES,
  type FlightStories,
  type FlightStory,
  type FlightStoryMember,
  tellFlightStory,
} from './flight-stories.js';
import { networkGroup } from './network.js';
import { attemptLimited, CLIENT_LIMITS, type ClientLimiter } from '@rendezvous/limits';
import { SignalingError } from './signaling.errors.js';

/** How the domain reaches clients; implemented by the transport (Socket.IO rooms), never by the domain. */
export interface SignalingDelivery {
  toSession<E extends keyof ServerToClientEvents>(
    sessionId: string,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void;
  /** Presence lists of these network groups changed, cluster-wide. */
  presenceChanged(groups: string[]): void;
  /**
   * Tells the replica that holds `sessionId` who its flight peer now is, so the signal relay needs no lookup.
   * Sent before the matching `peer-joined` / `peer-left`, on the same ordered channel.
   */
  flightPeerChanged(sessionId: string, peerId: string | null): void;
  /**
   * Tells the replica that holds `sessionId` that another socket took its transfer-room channel slot: that socket
   * forgets its attachment (its relay stops) and is told `room-detached`.
   */
  roomSlotTaken(sessionId: string, roomCode: string, channel: RoomChannel): void;
}
export const SIGNALING_DELIVERY = Symbol('SIGNALING_DELIVERY');

const CODE_ATTEMPTS = 10;

export interface JoinedFlight {
  code: string;
  token: string;
  peer: FlightMember;
  connectionType: ConnectionType;
}

export function connectionTypeBetween(a: { address: string; group: string }, b: { address: string; group: string }) {
  return a.address === b.address || a.group === b.group ? 'lan' : 'wan';
}

/** Signals one member's socket sent in a flight (counted by its replica, added to the story when it leaves). */
export interface SignalsSent {
  code: string;
  count: number;
}

/** Sessions, presence and flights: the rules, independent of transport and of where state is kept. */
@Injectable()
export class SignalingService {
  private readonly logger = new Logger(SignalingService.name);

  constructor(
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'sessions' | 'flights' | 'parking'>,
    @Inject(SIGNALING_DELIVERY) private readonly delivery: SignalingDelivery,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Optional() @Inject(FLIGHT_STORIES) private readonly stories: FlightStories | null = null,
    @Optional() @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter | null = null,
  ) {}

  /** A new session, with the resume credential its client can take it up with elsewhere (digest stored). */
  async connect(address: string): Promise<{ session: SessionRecord; credential: ResumeCredential }> {
    const session: SessionRecord = {
      id: generateSessionId(),
      name: generateDisplayName(),
      replicaId: this.config.cluster.replicaId,
      address,
      group: networkGroup(address),
    };
    const credential = newResumeCredential();
    await this.live.sessions.registerSession(session, credential.digest);
    this.delivery.presenceChanged([session.group]);
    return { session, credential };
  }

  async rename(session: SessionRecord, name: string): Promise<SessionRecord> {
    const updated = await this.live.sessions.renameSession(session.id, name);
    if (!updated) throw new SignalingError(ErrorCode.Unavailable);
    this.delivery.presenceChanged([updated.group]);
    return updated;
  }

  async createFlight(session: SessionRecord): Promise<{ code: string; token: string }> {
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = generateFlightCode();
      const token = generateFlightToken();
      const result = await this.live.flights.createFlight(
        code,
        token,
        session.id,
        this.config.flights.ttlMs,
        Date.now(),
      );
      switch (result.status) {
        case 'created':
          this.delivery.presenceChanged([session.group]);
          await this.stories
            ?.begin(code, this.storyMember(session), this.config.flights.ttlMs)
            .catch((error: Error) => this.logger.warn(`Flight story of ${code} not begun: ${error.message}`));
          return { code, token };
        case 'already-in-flight':
          throw new SignalingError(ErrorCode.AlreadyInFlight);
        case 'no-session':
          throw new SignalingError(ErrorCode.Unavailable);
        case 'code-taken':
          continue;
      }
    }
    this.logger.error(`No free flight code after ${CODE_ATTEMPTS} attempts`);
    throw new SignalingError(ErrorCode.Internal, 'Failed to allocate unique flight code');
  }

  /**
   * `beforeAnnounce` runs once the join is recorded and before the peer hears of it, so the joiner's socket
   * is ready for the peer's first signal.
   */
  async joinFlight(
    session: SessionRecord,
    code: string,
    beforeAnnounce: (token: string) => void = () => {},
  ): Promise<JoinedFlight> {
    // Codes are guessable by volume: an address whose joins keep missing is locked out for a while. A full
    // flight is a real code (a lost race), answered the same but not counted.
    const result = await attemptLimited(
      this.limits,
      [['failed-joins', session.address]],
      async () => {
        const attempt = await this.live.flights.joinFlight(code, session.id);
        if (attempt.status === 'not-found') throw new SignalingError(ErrorCode.FlightNotFound);
        return attempt;
      },
      (error) => error instanceof SignalingError && error.code === ErrorCode.FlightNotFound,
    );
    switch (result.status) {
      case 'full':
        throw new SignalingError(ErrorCode.FlightNotFound);
      case 'already-in-flight':
        throw new SignalingError(ErrorCode.AlreadyInFlight);
      case 'no-session':
        throw new SignalingError(ErrorCode.Unavailable);
      case 'joined':
        break;
    }
    const peer = result.others[0];
    if (!peer) throw new SignalingError(ErrorCode.Internal);
    const connectionType = connectionTypeBetween(session, peer);
    void this.stories
      ?.joined(code, this.storyMember(session), connectionType)
      .catch((error: Error) => this.logger.warn(`Flight story of ${code} missed a join: ${error.message}`));
    beforeAnnounce(result.token);
    this.delivery.flightPeerChanged(session.id, peer.id);
    this.delivery.flightPeerChanged(peer.id, session.id);
    this.delivery.toSession(session.id, 'peer-joined', {
      flightCode: code,
      peer: { id: peer.id, name: peer.name },
      connectionType,
    });
    this.delivery.toSession(peer.id, 'peer-joined', {
      flightCode: code,
      peer: { id: session.id, name: session.name },
      connectionType,
    });
    this.delivery.presenceChanged(unique([session.group, peer.group]));
    return { code, token: result.token, peer, connectionType };
  }

  async invite(session: SessionRecord, inviteeId: string, code: string): Promise<void> {
    const flight = await this.live.flights.getFlight(code, Date.now());
    if (!flight || !flight.members.includes(session.id)) throw new SignalingError(ErrorCode.NotFlightMember);
    const invitee = await this.live.sessions.getSession(inviteeId);
    if (!invitee || invitee.id === session.id) throw new SignalingError(ErrorCode.InviteeNotFound);
    // Invitations pop up on someone's screen: limited per sending address and per invitee, cluster-wide.
    await this.limits?.take('invites-sent', session.address);
    await this.limits?.take('invites-received', invitee.id);
    this.delivery.toSession(invitee.id, 'flight-invitation', {
      flightCode: code,
      fromId: session.id,
      fromName: session.name,
    });
  }

  /** `signals`: what this member's socket sent in its flight, added to the flight's story before it leaves. */
  async leaveFlight(session: SessionRecord, signals?: SignalsSent): Promise<LeaveFlightResult | null> {
    await this.addSignals(signals);
    const left = await this.live.flights.leaveFlight(session.id, this.config.flights.ttlMs, Date.now());
    if (left) {
      this.announceDeparture(session.id, session.group, left);
      this.endStoryIfLast(left, session.id, 'left');
    }
    return left;
  }

  /**
   * A session of this replica is gone: its own connection closed. Nothing happens when the live state no
   * longer gives it to this replica (parked, or taken over by its client elsewhere).
   */
  async disconnect(sessionId: string, signals?: SignalsSent): Promise<void> {
    await this.addSignals(signals);
    const { replicaId } = this.config.cluster;
    const ttl = this.config.flights.ttlMs;
    const removed = await this.live.sessions.removeSession(sessionId, ttl, Date.now(), replicaId);
    if (removed) this.announceRemoval(removed, 'disconnected');
  }

  /**
   * Keeps the session of a draining replica's client, flight included, for `graceMs`: the returned token (a
   * fresh credential) lets that client take it up on another replica. Its peer is told nothing unless the grace
   * runs out.
   */
  async park(session: SessionRecord, signals: SignalsSent | undefined, graceMs: number): Promise<string | null> {
    await this.addSignals(signals);
    const credential = newResumeCredential();
    const { replicaId } = this.config.cluster;
    const until = Date.now() + graceMs;
    const parked = await this.live.parking.parkSession(session.id, replicaId, credential.digest, until);
    return parked ? credential.token : null;
  }

  /**
   * A session of a dead replica: kept for RECONNECT_GRACE_MS with the credential its client already holds, so
   * that it resumes elsewhere and its peers notice nothing; with no grace, it ends as a disconnected one does.
   * False when it was not parked (taken over meanwhile, or ended).
   */
  async parkOrphan(sessionId: string, deadReplica: string): Promise<boolean> {
    const graceMs = this.config.server.reconnectGraceMs;
    if (graceMs > 0) return this.live.parking.parkSession(sessionId, deadReplica, null, Date.now() + graceMs);
    const removed = await this.live.sessions.removeSession(sessionId, this.config.flights.ttlMs, Date.now());
    if (removed) this.announceRemoval(removed, 'replica-lost');
    return false;
  }

  /**
   * Takes a session up on this replica with its client's credential: a parked one, or one another replica
   * still holds (takeover). Null when the token is wrong or the grace is over. The credential is replaced.
   */
  async resume(
    sessionId: string,
    token: string,
  ): Promise<{ resumed: ResumedSession; credential: ResumeCredential } | null> {
    const { replicaId } = this.config.cluster;
    const next = newResumeCredential();
    const resumed = await this.live.parking.resumeSession(
      sessionId,
      resumeDigest(token),
      next.digest,
      replicaId,
      Date.now(),
    );
    if (!resumed) return null;
    const code = resumed.flight?.code;
    if (code) {
      void this.stories
        ?.moved(code, replicaId)
        .catch((error: Error) => this.logger.warn(`Flight story of ${code} missed a move: ${error.message}`));
    }
    return { resumed, credential: next };
  }

  /** Parked sessions whose grace is over (not yet ended). */
  expiredParked(): Promise<string[]> {
    return this.live.parking.expiredParkedSessions(Date.now());
  }

  /** A parked session nobody came back for leaves as a disconnected one does; one replica only ends it. */
  async endParked(sessionId: string): Promise<boolean> {
    const removed = await this.live.parking.removeParkedSession(sessionId, this.config.flights.ttlMs, Date.now());
    if (removed) this.announceRemoval(removed, 'disconnected');
    return removed !== null;
  }

  private announceRemoval(removed: RemovedSession, how: FlightStory['ended']['how']): void {
    const { session, flight } = removed;
    if (flight) {
      this.announceDeparture(session.id, session.group, flight);
      this.endStoryIfLast(flight, session.id, how);
    } else this.delivery.presenceChanged([session.group]);
  }

  private storyMember(session: SessionRecord): FlightStoryMember {
    return { id: session.id, name: session.name, replica: session.replicaId, joinedAt: Date.now() };
  }

  private async addSignals(signals: SignalsSent | undefined): Promise<void> {
    if (!signals?.count || !this.stories) return;
    await this.stories.addSignals(signals.code, signals.count).catch(() => undefined);
  }

  /** The member that ends a flight tells its story: one log entry, whichever replicas its members sat on. */
  private endStoryIfLast(left: LeaveFlightResult, sessionId: string, how: FlightStory['ended']['how']): void {
    if (left.remaining.length > 0 || !this.stories) return;
    void this.stories.finish(left.code).then(
      (record) => {
        if (record) {
          const story = tellFlightStory(record, { by: sessionId, how }, Date.now());
          this.logger.log({ story }, 'FLIGHT STORY COMPLETE');
        }
      },
      (error: Error) => this.logger.warn(`Flight story of ${left.code} lost: ${error.message}`),
    );
  }

  private announceDeparture(sessionId: string, group: string, left: LeaveFlightResult): void {
    for (const member of left.remaining) {
      this.delivery.flightPeerChanged(member.id, null);
      this.delivery.toSession(member.id, 'peer-left', { flightCode: left.code, peerId: sessionId });
    }
    this.delivery.presenceChanged(unique([group, ...left.remaining.map((member) => member.group)]));
  }
}

/** A resume credential's token (for its client) and digest (for the live state). */
export interface ResumeCredential {
  token: string;
  digest: string;
}

function newResumeCredential(): ResumeCredential {
  const token = randomBytes(24).toString('base64url');
  return { token, digest: resumeDigest(token) };
}

/** Only a digest of a resume token is stored: the live state alone is not enough to take over a session. */
function resumeDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
