import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections, ReplicaMonitor, serialized } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { LIVE_STATE, type LiveState } from '@rendezvous/signaling';
import { SessionLifecycle } from './session-lifecycle.js';

/**
 * This replica's membership of the cluster (cluster mode only): its heartbeat, the reaping of dead replicas'
 * sessions, the end of parked sessions nobody resumed, and writing its own clients' state back after Redis lost
 * it (a restart, or this replica wrongly reaped).
 */
@Injectable()
export class ReplicaLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaLifecycle');
  private monitor: ReplicaMonitor | null = null;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'replicas'>,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(SessionLifecycle) private readonly sessions: SessionLifecycle,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  start(): void {
    if (this.config.mode !== 'cluster') return;
    this.monitor = new ReplicaMonitor(this.live.replicas, this.config, {
      reapSession: (sessionId, deadReplica) => this.sessions.reap(sessionId, deadReplica),
      restoreLocalState: () => this.restore(),
      expireParkedSessions: () => this.sessions.expireParked(),
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
  readonly restore = serialized(() => this.sessions.restore());
}
