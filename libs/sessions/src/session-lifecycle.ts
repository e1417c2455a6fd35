import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { ConnectionRegistry, SessionDelivery } from '@rendezvous/delivery';
import type { ResumeCredentials, SessionResumedPayload } from '@rendezvous/protocol';
import { RoomAttachmentService } from '@rendezvous/rooms';
import { LIVE_STATE, type LiveState, type SessionRecord, SignalingService } from '@rendezvous/signaling';
import type { Client } from './client.js';
import { RoomSessions } from './room-sessions.js';
import { SESSION_METRICS, type SessionMetrics } from './session-metrics.js';

/** A client with its session: new, or resumed (with what it is told about the flight it took up). */
export interface Connected {
  session: SessionRecord;
  resumed: SessionResumedPayload | null;
}

/**
 * The one lifecycle of every client's session, whatever binding it came through: connect (new or resumed),
 * disconnect, park (drain), and, for sessions this replica does not hold, reap (a dead replica's) and restore
 * (this replica's, after Redis lost them). Bindings call connect and disconnect; the rest is the cluster's.
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
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'sessions'>,
    @Inject(SESSION_METRICS) private readonly metrics: SessionMetrics,
  ) {}

  /**
   * A client connected: it gets a new session, or takes up the parked one its `resume` credentials name. Null
   * when it closed meanwhile (its session is ended again). The binding greets it once this resolves.
   */
  connect(client: Client, resume: ResumeCredentials | null): Promise<Connected | null> {
    this.open.add(client);
    let resumed: SessionResumedPayload | null = null;
    const connected = (resume ? this.resume(client, resume) : Promise.resolve(null))
      .then((taken) => {
        if (!taken) return this.newSession(client);
        resumed = taken.announcement;
        return taken.session;
      })
      .then((session): Connected | null => {
        client.session = session;
        client.ready = null;
        if (!client.link.isOpen) {
          void this.signaling.disconnect(session.id).catch(() => undefined);
          return null;
        }
        this.connections.add(client);
        this.metrics.count('connection');
        if (resumed) this.metrics.count('session_resumed');
        return { session, resumed };
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
   * Keeps the client's session for `graceMs` so that it can take it up on another replica (drain): only one in
   * no transfer or multiparty room (those re-attach). Its resume credentials, or null when it cannot wait.
   */
  async park(client: Client, graceMs: number): Promise<ResumeCredentials | null> {
    const { session, attachment, room } = client;
    if (!session || attachment || room || !client.link.resumable) return null;
    const token = await this.signaling.park(session, client.signalsInFlight(), graceMs).catch((error: Error) => {
      this.logger.warn(`Session ${session.id} not kept for resumption: ${error.message}`);
      return null;
    });
    if (!token) return null;
    client.parked = true;
    return { sessionId: session.id, token };
  }

  /** A session of a dead replica: it leaves its room channel, multiparty room and flight as its client would. */
  async reap(sessionId: string): Promise<void> {
    await this.attachments
      .reap(sessionId)
      .catch((error: Error) => this.logger.warn(`Room detach of reaped ${sessionId}: ${error.message}`));
    await this.rooms
      .reap(sessionId)
      .catch((error: Error) => this.logger.warn(`Room departure of reaped ${sessionId}: ${error.message}`));
    await this.signaling.disconnect(sessionId, undefined, true);
  }

  /** After Redis lost or missed our state: write back local sessions and flights, drop what is no longer here. */
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
      await this.live.sessions.restoreSession(
        session,
        flight && !attachment ? { code: flight.code, token: flight.token } : null,
        this.config.flights.ttlMs,
        now,
      );
      if (attachment) await this.attachments.restore(session, attachment);
      await this.rooms.restore(client);
    }
    const stillLocal = this.connections.all();
    for (const sessionId of before) {
      if (!stillLocal.has(sessionId)) await this.signaling.disconnect(sessionId);
    }
    this.delivery.presenceChanged(this.connections.groups());
    this.logger.log(`Restored ${local.length} local sessions into the live state`);
  }

  private async newSession(client: Client): Promise<SessionRecord> {
    const session = await this.signaling.connect(client.address);
    // A token's `name` is the session's name from the start.
    const name = client.claims?.name;
    return name ? this.signaling.rename(session, name) : session;
  }

  /** A client of a drained replica taking up its session (and flight) here; null: it starts a new one. */
  private async resume(
    client: Client,
    resume: ResumeCredentials,
  ): Promise<{ session: SessionRecord; announcement: SessionResumedPayload } | null> {
    const resumed = await this.signaling.resume(resume.sessionId, resume.token).catch((error: Error) => {
      this.logger.warn(`Resume of ${resume.sessionId} failed: ${error.message}`);
      return null;
    });
    if (!resumed) return null;
    const { session, flight } = resumed;
    const peer = flight?.peer ? { id: flight.peer.id, name: flight.peer.name } : null;
    if (flight) {
      client.enterFlight(flight.code, flight.token);
      client.setFlightPeer(peer?.id ?? null);
    }
    return { session, announcement: { id: session.id, flightCode: flight?.code ?? null, peer } };
  }
}
