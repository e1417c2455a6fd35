import { Logger } from '@nestjs/common';
import type { RendezvousConfig } from '@rendezvous/config';
import type { ReplicaRegistry } from '@rendezvous/signaling';

/** Sessions of a dead replica reaped at once (each is a few live-state and database round trips). */
const REAP_BATCH = 32;

export interface ReplicaLifecycleHandlers {
  /** A session of a dead replica: parked for its client to resume elsewhere (or ended, with no grace). */
  reapSession(sessionId: string, deadReplica: string): Promise<void>;
  /** Redis forgot this replica (restart, or it was wrongly reaped): write its live sessions back. */
  restoreLocalState(): Promise<void>;
  /** Ends the parked sessions (of drained or dead replicas) whose clients did not come back within the grace. */
  expireParkedSessions(): Promise<number>;
}

/**
 * Heartbeats this replica into the live state and reaps replicas whose heartbeat stopped: their sessions are
 * disconnected by whichever survivor takes the reaping lock first.
 */
export class ReplicaMonitor {
  private readonly logger = new Logger(ReplicaMonitor.name);
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  private reaping: Promise<void> | null = null;
  /** When the last two heartbeats were written (ms). */
  private lastBeatAt = 0;
  private previousBeatAt: number | null = null;
  private knownToStore = false;

  constructor(
    private readonly store: ReplicaRegistry,
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

  /**
   * One heartbeat, then a reaping pass (dead replicas, unclaimed parked sessions) unless one is still going on.
   * A long reaping pass never holds up the heartbeat, or this replica would look dead while it reaps.
   */
  async tick(): Promise<void> {
    if (!this.beating) {
      this.beating = true;
      try {
        await this.beat();
      } catch (error) {
        this.logger.warn(`Heartbeat failed: ${(error as Error).message}`);
        return;
      } finally {
        this.beating = false;
      }
    }
    if (this.reaping || this.wasCutOff()) return;
    this.reaping = this.reapPass()
      .catch((error: Error) => this.logger.warn(`Reaping failed: ${error.message}`))
      .finally(() => {
        this.reaping = null;
      });
    await this.reaping;
  }

  /**
   * Whether this replica itself could not heartbeat for a replica timeout before its last beat (Redis was frozen
   * or unreachable, or this process stalled): then the others' heartbeats look just as old for the same reason,
   * and they get one more interval to beat before anyone is taken for dead.
   */
  private wasCutOff(): boolean {
    const { previousBeatAt, lastBeatAt } = this;
    return previousBeatAt !== null && lastBeatAt - previousBeatAt > this.config.cluster.replicaTimeoutMs;
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const known = await this.store.heartbeat(this.config.cluster.replicaId, now);
    this.previousBeatAt = this.lastBeatAt || null;
    this.lastBeatAt = Date.now();
    if (!known && this.knownToStore) {
      this.logger.warn('Live state lost this replica (Redis restart or reaped); restoring local sessions');
      // Not awaited: a restore of many sessions must not stop the heartbeat, or the others take us for dead.
      void this.handlers
        .restoreLocalState()
        .catch((error: Error) => this.logger.warn(`Restore failed: ${error.message}`));
    }
    this.knownToStore = true;
  }

  private async reapPass(): Promise<void> {
    const { replicaId, replicaTimeoutMs } = this.config.cluster;
    const dead = await this.store.deadReplicas(Date.now(), replicaTimeoutMs);
    for (const deadId of dead) {
      if (deadId !== replicaId) await this.reap(deadId);
    }
    const expired = await this.handlers.expireParkedSessions();
    if (expired > 0) this.logger.log(`${expired} parked sessions were not resumed in time; ended`);
  }

  /**
   * Reaps a dead replica's sessions a batch at a time, renewing the reaping lock between batches: a large replica
   * takes longer than the lock's first lease, and another survivor must not start over on the same sessions.
   */
  private async reap(deadId: string): Promise<void> {
    const { replicaTimeoutMs: lockMs, replicaId: holder } = this.config.cluster;
    const sessions = await this.store.claimDeadReplica(deadId, lockMs, holder);
    if (!sessions) return;
    this.logger.warn(`Replica ${deadId} stopped heartbeating; parking its ${sessions.length} sessions`);
    for (let start = 0; start < sessions.length; start += REAP_BATCH) {
      if (start > 0 && !(await this.store.renewReapLock(deadId, lockMs, holder))) {
        this.logger.warn(`Lost the reaping lock of ${deadId} after ${start} sessions; another replica goes on`);
        return;
      }
      await Promise.all(sessions.slice(start, start + REAP_BATCH).map((id) => this.handlers.reapSession(id, deadId)));
    }
    await this.store.forgetReplica(deadId);
  }
}
