import { Logger } from '@nestjs/common';
import type { RendezvousConfig } from '@rendezvous/config';
import type { LiveStateStore } from '@rendezvous/signaling';

export interface ReplicaLifecycleHandlers {
  /** Treat a session of a dead replica as disconnected. */
  reapSession(sessionId: string): Promise<void>;
  /** Redis forgot this replica (restart, or it was wrongly reaped): write its live sessions back. */
  restoreLocalState(): Promise<void>;
  /** Ends the sessions of drained replicas whose clients did not come back within the grace. */
  expireParkedSessions(): Promise<number>;
}

/**
 * Heartbeats this replica into the live state and reaps replicas whose heartbeat stopped: their sessions are
 * disconnected by whichever survivor takes the reaping lock first.
 */
export class ReplicaMonitor {
  private readonly logger = new Logger(ReplicaMonitor.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private knownToStore = false;

  constructor(
    private readonly store: LiveStateStore,
    private readonly config: RendezvousConfig,
    private readonly handlers: ReplicaLifecycleHandlers,
  ) {}

  /** Heartbeats from now on; a failed first beat is retried on the next interval, never left unscheduled. */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.tick(), this.config.cluster.heartbeatMs);
    this.timer.unref();
    await this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One heartbeat and one reaping pass (dead replicas, unclaimed parked sessions); skipped while one runs. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { replicaId, replicaTimeoutMs } = this.config.cluster;
    try {
      const known = await this.store.heartbeat(replicaId, Date.now());
      if (!known && this.knownToStore) {
        this.logger.warn('Live state lost this replica (Redis restart or reaped); restoring local sessions');
        await this.handlers.restoreLocalState();
      }
      this.knownToStore = true;
      const dead = await this.store.deadReplicas(Date.now(), replicaTimeoutMs);
      for (const deadId of dead) {
        if (deadId !== replicaId) await this.reap(deadId);
      }
      const expired = await this.handlers.expireParkedSessions();
      if (expired > 0) this.logger.log(`${expired} drained sessions were not resumed in time; ended`);
    } catch (error) {
      this.logger.warn(`Heartbeat failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  private async reap(deadId: string): Promise<void> {
    const sessions = await this.store.claimDeadReplica(deadId, this.config.cluster.replicaTimeoutMs);
    if (!sessions) return;
    this.logger.warn(`Replica ${deadId} stopped heartbeating; disconnecting its ${sessions.length} sessions`);
    for (const sessionId of sessions) {
      await this.handlers.reapSession(sessionId);
    }
    await this.store.forgetReplica(deadId);
  }
}
