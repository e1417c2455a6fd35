import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { RoomChannel } from '@rendezvous/protocol';
import { LIVE_STATE, type LiveState, type SignalingDelivery } from '@rendezvous/signaling';
import type { ClientEvent, ClientPayload } from './client-connection.js';
import { CLUSTER_BUS, type ClusterBus, type DeliveryOutcome, type SessionMessage } from './cluster-bus.js';
import { ConnectionRegistry } from './connection-registry.js';

/** Presence changes that arrive close together are answered with one read per network. */
const PRESENCE_COALESCE_MS = 10;
const PRESENCE_TOPIC = 'presence-changed';

/** What became of a message: known at once when this replica holds the session, after a round trip otherwise. */
export type Delivery = DeliveryOutcome | Promise<DeliveryOutcome>;

/**
 * Delivery by session id, for every binding: to the connection when this replica holds the session, otherwise
 * on the session's own bus channel to the replica that does (or into its outbox when none does). Also keeps
 * this replica's presence lists current.
 */
@Injectable()
export class SessionDelivery implements SignalingDelivery {
  private readonly logger = new Logger('Presence');
  private readonly pendingGroups = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** Sessions this replica parked (drain): events that still reach it for them wait in their outbox. */
  private readonly parkedHere = new Set<string>();

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'presence'>,
    @Inject(CLUSTER_BUS) private readonly bus: ClusterBus,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
  ) {
    bus.onSessionMessage((sessionId, message) => this.apply(sessionId, message));
    bus.onBroadcast((topic, groups) => {
      if (topic === PRESENCE_TOPIC && Array.isArray(groups)) {
        this.schedule(groups.filter((group): group is string => typeof group === 'string'));
      }
    });
  }

  toSession<E extends ClientEvent>(sessionId: string, event: E, payload: ClientPayload<E>): Delivery {
    const connection = this.connections.get(sessionId);
    if (!connection) return this.bus.toSession(sessionId, { kind: 'event', event, payload });
    connection.send(event, payload);
    return 'delivered';
  }

  /** Another replica took the session up with its client's credential: the connection here lets go quietly. */
  sessionTaken(sessionId: string, by: string): void {
    void this.bus.toSession(sessionId, { kind: 'taken', by });
  }

  /** This replica parked the session (drain): events still arriving for it are kept for its next replica. */
  parked(sessionId: string): void {
    this.parkedHere.add(sessionId);
  }

  /** The session is now held here: what was queued for it arrives first (settles once it was handed over). */
  hold(sessionId: string): Promise<void> {
    this.parkedHere.delete(sessionId);
    return this.bus.hold(sessionId);
  }

  flightPeerChanged(sessionId: string, peerId: string | null): void {
    const connection = this.connections.get(sessionId);
    if (connection) connection.setFlightPeer(peerId);
    else void this.bus.toSession(sessionId, { kind: 'flight-peer', peerId });
  }

  roomSlotTaken(sessionId: string, roomCode: string, channel: RoomChannel): void {
    const connection = this.connections.get(sessionId);
    if (connection) connection.roomSlotTaken(roomCode, channel);
    else void this.bus.toSession(sessionId, { kind: 'room-slot-taken', roomCode, channel });
  }

  presenceChanged(groups: string[]): void {
    if (groups.length === 0) return;
    this.schedule(groups);
    this.bus.broadcast(PRESENCE_TOPIC, groups);
  }

  /**
   * A message that came over the bus for a session of this replica. When its client left meanwhile, an event is
   * kept for it if this replica parked it (drain), and dropped otherwise (ended, or taken up elsewhere).
   */
  private apply(sessionId: string, message: SessionMessage): boolean {
    const connection = this.connections.get(sessionId);
    if (!connection?.isOpen) {
      if (message.kind === 'event' && this.parkedHere.has(sessionId)) void this.bus.keep(sessionId, message);
      return false;
    }
    if (message.kind === 'event') connection.send(message.event as ClientEvent, message.payload as never);
    else if (message.kind === 'flight-peer') connection.setFlightPeer(message.peerId);
    else if (message.kind === 'room-slot-taken') connection.roomSlotTaken(message.roomCode, message.channel);
    else if (message.kind === 'taken' && message.by !== this.config.cluster.replicaId) connection.sessionTaken();
    return true;
  }

  private schedule(groups: string[]): void {
    // Not filtered by local connections yet: a connecting client is registered only after its session is stored.
    for (const group of groups) this.pendingGroups.add(group);
    if (this.pendingGroups.size > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), PRESENCE_COALESCE_MS);
    }
  }

  private async flush(): Promise<void> {
    this.flushTimer = null;
    const groups = [...this.pendingGroups];
    this.pendingGroups.clear();
    await Promise.all(groups.map((group) => this.pushGroup(group)));
  }

  /** DropSilk's rules: a list excludes its reader and members of full flights; those members get an empty list. */
  private async pushGroup(group: string): Promise<void> {
    const connections = this.connections.inGroup(group);
    if (!connections) return;
    let entries;
    try {
      entries = await this.live.presence.listNetwork(group);
    } catch (error) {
      this.logger.warn(`Presence of ${group} not refreshed: ${(error as Error).message}`);
      return;
    }
    const busy = new Set(entries.filter((entry) => entry.busy).map((entry) => entry.id));
    const available = entries.filter((entry) => !entry.busy);
    const limit = this.config.presence.listLimit;
    for (const connection of connections) {
      const selfId = connection.sessionId;
      const users = busy.has(selfId)
        ? []
        : available
            .filter((entry) => entry.id !== selfId)
            .slice(0, limit)
            .map(({ id, name }) => ({ id, name }));
      connection.send('users-on-network-update', { users });
    }
  }
}
