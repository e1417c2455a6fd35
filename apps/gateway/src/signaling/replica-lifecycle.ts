import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections, ReplicaMonitor, serialized } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { ConnectionRegistry, SessionDelivery } from '@rendezvous/delivery';
import { RoomAttachmentService } from '@rendezvous/rooms';
import {
  LIVE_STATE_STORE,
  type SessionStore,
  type ReplicaRegistry,
  type SessionRecord,
  SignalingService,
} from '@rendezvous/signaling';
import { MultipartyGateway } from '../rooms/multiparty.gateway.js';
import { localSockets } from './socket-connection.js';

/**
 * This replica's membership of the cluster (cluster mode only): its heartbeat, the reaping of dead replicas'
 * sessions, the end of parked sessions nobody resumed, and writing its own sockets' state back after Redis lost
 * it (a restart, or this replica wrongly reaped).
 */
@Injectable()
export class ReplicaLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaLifecycle');
  private monitor: ReplicaMonitor | null = null;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(LIVE_STATE_STORE) private readonly store: SessionStore & ReplicaRegistry,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(SessionDelivery) private readonly delivery: SessionDelivery,
    @Inject(ConnectionRegistry) private readonly connections: ConnectionRegistry,
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(RoomAttachmentService) private readonly attachments: RoomAttachmentService,
    @Inject(MultipartyGateway) private readonly multiparty: MultipartyGateway,
  ) {}

  start(): void {
    if (this.config.mode !== 'cluster') return;
    this.monitor = new ReplicaMonitor(this.store, this.config, {
      reapSession: (sessionId) => this.reapSession(sessionId),
      restoreLocalState: () => this.restore(),
      expireParkedSessions: () => this.signaling.expireParked(),
    });
    void this.monitor.start().catch((error: Error) => this.logger.error(`Heartbeat start: ${error.message}`));
    this.redis?.onReconnect(() => void this.restore().catch(() => undefined));
  }

  /** No more heartbeats or reaping (a draining or stopping replica). */
  stop(): void {
    this.monitor?.stop();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** One restore at a time: a Redis reconnect and an unrecognised heartbeat may both ask for one. */
  readonly restore = serialized(() => this.restoreNow());

  /** A session of a dead replica: it leaves its room channel, multiparty room and flight as its socket would. */
  private async reapSession(sessionId: string): Promise<void> {
    await this.attachments
      .reap(sessionId)
      .catch((error: Error) => this.logger.warn(`Room detach of reaped ${sessionId}: ${error.message}`));
    await this.multiparty
      .reap(sessionId)
      .catch((error: Error) => this.logger.warn(`Room departure of reaped ${sessionId}: ${error.message}`));
    await this.signaling.disconnect(sessionId, undefined, true);
  }

  /** After Redis lost or missed our state: write back local sessions and flights, drop what is no longer here. */
  private async restoreNow(): Promise<void> {
    const now = Date.now();
    // What the live state still attributes to this replica from before: read first, so a client that connects
    // while the rest is written back is never taken for a leftover.
    const before = await this.store.sessionsOf(this.config.cluster.replicaId);
    const local = localSockets(this.connections);
    for (const socket of local.values()) {
      const session = socket.data.session as SessionRecord;
      const { flight, attachment } = socket.data;
      await this.store.restoreSession(
        session,
        flight && !attachment ? { code: flight.code, room: flight.token } : null,
        this.config.flights.ttlMs,
        now,
      );
      if (attachment) await this.attachments.restore(session, attachment);
      await this.multiparty.restore(socket);
    }
    const stillLocal = this.connections.all();
    for (const sessionId of before) {
      if (!stillLocal.has(sessionId)) await this.signaling.disconnect(sessionId);
    }
    this.delivery.presenceChanged(this.connections.groups());
    this.logger.log(`Restored ${local.size} local sessions into the live state`);
  }
}
