import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { ConnectionRegistry, SessionDelivery } from '@rendezvous/delivery';
import type { ResumeCredentials, SessionResumedPayload } from '@rendezvous/protocol';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { LIVE_STATE, type LiveState, type SessionRecord, SignalingService } from '@rendezvous/signaling';
import type { Client } from './client.js';
import { RoomSessions } from './room-sessions.js';
import { SESSION_METRICS, type SessionMetrics } from './session-metrics.js';
import { SessionResumption } from './session-resumption.js';

/** A client with its session: new, or resumed (with what it is told about it), and its resume credential. */
export interface Connected {
  session: SessionRecord;
  resumed: SessionResumedPayload | null;
  credential: ResumeCredentials;
}

/**
 * The one lifecycle of every client's session, whatever binding it came through: connect (new or resumed),
 * disconnect, park (drain), and, for sessions this replica does not hold, park a dead replica's, end those whose
 * grace ran out, and restore this replica's own after Redis lost them. Bindings call connect and disconnect; the
 * rest is the cluster's.
 */
@Injectable()
export class SessionLifecycle {
  private readonly logger = new Logger('Sessions');
  /** Every open client of this replica, with a session or still waiting for it. */
  private readonly open = new Set<Client>();
  private readonly pendingDepartures = new Set<Promise<void>>();

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
    @Inject(SessionDelivery) private readonly delivery: SessionDelivery,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
    @Inject(RoomSessions) private readonly rooms: RoomSessions,
    @Inject(SessionResumption) private readonly resumption: SessionResumption,
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'sessions'>,
    @Inject(SESSION_METRICS) private readonly metrics: SessionMetrics,
  ) {}

  /**
   * A client connected: it gets a new session, or takes up the one its `resume` credentials name (parked, or
   * held by another replica). `greet` runs once it is registered here and before anything queued for it is
   * delivered. Null when it closed meanwhile (a new session is ended again).
   */
  connect(
    client: Client,
    resume: ResumeCredentials | null,
    greet: (connected: Connected) => void,
  ): Promise<Connected | null> {
    this.open.add(client);
    const connected = this.establish(client, resume).then((result): Connected | null => {
      client.ready = null;
      if (!client.link.isOpen) {
        if (!result.resumed) void this.signaling.disconnect(result.session.id).catch(() => undefined);
        return null;
      }
      this.letGoOfOlderConnection(result.session.id, client);
      this.connections.add(client);
      this.metrics.count('connection');
      if (result.resumed) this.metrics.count('session_resumed');
      greet(result);
      void this.delivery.hold(result.session.id);
      return result;
    });
    client.ready = connected.then(
      (result) => result?.session ?? null,
      () => {
        client.ready = null;
        return null;
      },
    );
    return connected;
  }

  /** The client's connection closed: it leaves its rooms, flight and presence, unless a drain parked it. */
  disconnect(client: Client): void {
    this.open.delete(client);
    const session = client.session;
    if (!session) return;
    this.connections.remove(client);
    this.metrics.count('disconnection');
    if (client.parked) return;
    const { attachment } = client;
    const departure = (attachment ? this.attachments.detach(session, attachment) : Promise.resolve())
      .catch((error: Error) => this.logger.warn(`Room detach of ${session.id} not recorded: ${error.message}`))
      .then(() => this.rooms.leave(client))
      .catch((error: Error) => this.logger.warn(`Room departure of ${session.id} not recorded: ${error.message}`))
      .then(() => this.signaling.disconnect(session.id, client.signalsInFlight()))
      .catch((error: Error) => this.logger.warn(`Disconnect of ${session.id} not recorded: ${error.message}`))
      .finally(() => this.pendingDepartures.delete(departure));
    this.pendingDepartures.add(departure);
  }

  /** Settles once every departure recorded so far is written (the drain waits for it). */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.pendingDepartures]);
  }

  /** This replica's open clients (a copy). */
  clients(): Client[] {
    return [...this.open];
  }

  clientCount(): number {
    return this.open.size;
  }

  /** Open clients by protocol. */
  clientsByProtocol(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const client of this.open) counts.set(client.link.protocol, (counts.get(client.link.protocol) ?? 0) + 1);
    return counts;
  }

  /** Flights with a member on this replica. */
  flightCount(): number {
    const codes = new Set<string>();
    for (const client of this.open) if (client.flight) codes.add(client.flight.code);
    return codes.size;
  }

  /**
   * Keeps the client's session (flight, rooms, call) for `graceMs` so that it can take it up on another replica
   * (drain). Its fresh resume credentials, or null when it cannot wait (its protocol has no resume step).
   */
  async park(client: Client, graceMs: number): Promise<ResumeCredentials | null> {
    const { session } = client;
    if (!session || !client.link.resumable) return null;
    const token = await this.signaling.park(session, client.signalsInFlight(), graceMs).catch((error: Error) => {
      this.logger.warn(`Session ${session.id} not kept for resumption: ${error.message}`);
      return null;
    });
    if (!token) return null;
    client.parked = true;
    this.delivery.parked(session.id);
    return { sessionId: session.id, token };
  }

  /**
   * A session of a dead replica: parked for RECONNECT_GRACE_MS with everything it is in, so its client resumes
   * it elsewhere; with no grace it leaves its room channel, multiparty room and flight as its client would.
   */
  async reap(sessionId: string, deadReplica: string): Promise<void> {
    if (await this.signaling.parkOrphan(sessionId, deadReplica)) return;
    if (this.config.server.reconnectGraceMs > 0) return;
    await this.leaveRooms(sessionId);
  }

  /** Parked sessions nobody came back for: each leaves everything it was in, as a disconnected one does. */
  async expireParked(): Promise<number> {
    let ended = 0;
    for (const sessionId of await this.signaling.expiredParked()) {
      await this.leaveRooms(sessionId);
      if (await this.signaling.endParked(sessionId)) ended++;
    }
    return ended;
  }

  /**
   * After Redis lost or missed our state: write back local sessions and flights, drop what is no longer here.
   * A session the live state now gives to another replica (taken over while this one was cut off) is let go.
   */
  async restore(): Promise<void> {
    const now = Date.now();
    // What the live state still attributes to this replica from before: read first, so a client that connects
    // while the rest is written back is never taken for a leftover.
    const before = await this.live.sessions.sessionsOf(this.config.cluster.replicaId);
    const local = [...this.open].filter(
      (client) => client.session && this.connections.get(client.sessionId) === client,
    );
    for (const client of local) {
      const { session, flight, attachment } = client;
      if (!session) continue;
      const ours = await this.live.sessions.restoreSession(
        session,
        client.credentialDigest,
        flight && !attachment ? { code: flight.code, token: flight.token } : null,
        this.config.flights.ttlMs,
        now,
      );
      if (!ours) {
        client.sessionTaken();
        continue;
      }
      if (attachment) await this.attachments.restore(session, attachment);
      await this.rooms.restore(client);
      // Held again: what senders queued for it while it was missing from the live state is taken now.
      await this.delivery.hold(session.id);
    }
    const stillLocal = this.connections.all();
    for (const sessionId of before) {
      if (!stillLocal.has(sessionId)) await this.signaling.disconnect(sessionId);
    }
    this.delivery.presenceChanged(this.connections.groups());
    this.logger.log(`Restored ${local.length} local sessions into the live state`);
  }

  /** A new session, or the one the credentials resume (a new one when they do not). */
  private async establish(client: Client, resume: ResumeCredentials | null): Promise<Connected> {
    const resumed = resume ? await this.resumption.resume(client, resume) : null;
    if (resumed) {
      if (resumed.takenFrom) this.delivery.sessionTaken(resumed.session.id, this.config.cluster.replicaId);
      client.credentialDigest = resumed.credential.digest;
      const credential = { sessionId: resumed.session.id, token: resumed.credential.token };
      return { session: resumed.session, resumed: resumed.announcement, credential };
    }
    const { session, credential } = await this.signaling.connect(client.address);
    client.credentialDigest = credential.digest;
    // A token's `name` is the session's name from the start.
    const name = client.claims?.name;
    client.session = name ? await this.signaling.rename(session, name) : session;
    return { session: client.session, resumed: null, credential: { sessionId: session.id, token: credential.token } };
  }

  /** A client that took its session up here while an older connection of it is still open on this replica. */
  private letGoOfOlderConnection(sessionId: string, client: Client): void {
    const older = this.connections.get(sessionId);
    if (older && older !== client) older.sessionTaken();
  }

  /** A session that ends without its client: out of its room channel and multiparty room (and call). */
  private async leaveRooms(sessionId: string): Promise<void> {
    await this.attachments
      .reap(sessionId)
      .catch((error: Error) => this.logger.warn(`Room detach of ended ${sessionId}: ${error.message}`));
    await this.rooms
      .reap(sessionId)
      .catch((error: Error) => this.logger.warn(`Room departure of ended ${sessionId}: ${error.message}`));
  }
}
