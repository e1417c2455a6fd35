import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { ResumeCredentials } from '@rendezvous/protocol';
import { LIVE_STATE, type LiveState } from '@rendezvous/signaling';
import { ReadinessState } from './readiness.state.js';
import { ReplicaLifecycle } from './replica-lifecycle.js';
import { SessionLifecycle } from './session-lifecycle.js';

/** What a draining replica tells its clients (DropSilk's words). */
export const SHUTDOWN_MESSAGE = 'Server is shutting down for maintenance.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rolling-update drain, for the clients of every binding: not ready first (DRAIN_READINESS_DELAY_MS, so load
 * balancers stop sending clients), then new clients are refused and every local one is told `server-shutdown`
 * and disconnected. In a cluster, the sessions of clients whose protocol can resume are parked for
 * RECONNECT_GRACE_MS (flights, transfer-room slots, rooms and calls included) with a fresh resume credential, so
 * a client that reconnects elsewhere keeps everything and its peers hear nothing; the others leave as usual.
 */
@Injectable()
export class Drain {
  private readonly logger = new Logger('Drain');

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(ReplicaLifecycle) private readonly replica: ReplicaLifecycle,
    @Inject(SessionLifecycle) private readonly sessions: SessionLifecycle,
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'replicas'>,
  ) {}

  async run(): Promise<void> {
    this.readiness.startDraining();
    const { drainReadinessDelayMs, reconnectGraceMs } = this.config.server;
    if (drainReadinessDelayMs > 0) await sleep(drainReadinessDelayMs);
    this.replica.stop();
    const resumable = this.config.mode === 'cluster' && reconnectGraceMs > 0;
    const clients = this.sessions.clients();
    const parked = await Promise.all(
      clients.map(async (client) => {
        const resume: (ResumeCredentials & { graceMs: number }) | null = resumable
          ? await this.sessions
              .park(client, reconnectGraceMs)
              .then((credentials) => credentials && { ...credentials, graceMs: reconnectGraceMs })
          : null;
        client.send('server-shutdown', resume ? { message: SHUTDOWN_MESSAGE, resume } : { message: SHUTDOWN_MESSAGE });
        return resume !== null;
      }),
    );
    this.logger.log(
      `Draining: ${clients.length} clients told to reconnect, ${parked.filter(Boolean).length} sessions kept ` +
        `for ${reconnectGraceMs} ms`,
    );
    await sleep(50);
    for (const client of this.sessions.clients()) client.link.close();
    await this.sessions.settled();
    if (this.config.mode === 'cluster') {
      await this.live.replicas.forgetReplica(this.config.cluster.replicaId).catch(() => undefined);
    }
  }
}
