import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { ResumeCredentials } from '@rendezvous/protocol';
import { LIVE_STATE_STORE, type ReplicaRegistry, SignalingService } from '@rendezvous/signaling';
import { ReadinessState } from '../common/readiness.state.js';
import { ReplicaLifecycle } from './replica-lifecycle.js';
import { signalsSentBy } from './socket-data.js';
import type { RendezvousServer, RendezvousSocket } from './socket-connection.js';

/** What a draining replica tells its clients (DropSilk's words). */
export const SHUTDOWN_MESSAGE = 'Server is shutting down for maintenance.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rolling-update drain: not ready first (DRAIN_READINESS_DELAY_MS, so load balancers stop sending clients),
 * then new clients are refused and every local one is told `server-shutdown` and disconnected. In a cluster,
 * sessions outside transfer and multiparty rooms are parked for RECONNECT_GRACE_MS with a resume token, so a
 * client that reconnects elsewhere keeps its session and flight and its peer hears nothing; room sockets leave
 * as usual and re-attach.
 */
@Injectable()
export class Drain {
  private readonly logger = new Logger('Drain');

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(ReplicaLifecycle) private readonly lifecycle: ReplicaLifecycle,
    @Inject(SignalingService) private readonly signaling: SignalingService,
    @Inject(LIVE_STATE_STORE) private readonly store: ReplicaRegistry,
  ) {}

  /** `settled` resolves once the departures of the disconnected sockets are recorded. */
  async run(server: RendezvousServer, settled: () => Promise<unknown>): Promise<void> {
    this.readiness.startDraining();
    const { drainReadinessDelayMs, reconnectGraceMs } = this.config.server;
    if (drainReadinessDelayMs > 0) await sleep(drainReadinessDelayMs);
    this.lifecycle.stop();
    const resumable = this.config.mode === 'cluster' && reconnectGraceMs > 0;
    const sockets = [...server.of('/').sockets.values()] as RendezvousSocket[];
    const parked = await Promise.all(
      sockets.map(async (socket) => {
        const resume = resumable ? await this.park(socket, reconnectGraceMs) : null;
        socket.emit('server-shutdown', resume ? { message: SHUTDOWN_MESSAGE, resume } : { message: SHUTDOWN_MESSAGE });
        return resume !== null;
      }),
    );
    this.logger.log(
      `Draining: ${sockets.length} clients told to reconnect, ${parked.filter(Boolean).length} sessions kept ` +
        `for ${reconnectGraceMs} ms`,
    );
    await sleep(50);
    server.local.disconnectSockets(true);
    await settled();
    if (this.config.mode === 'cluster') {
      await this.store.forgetReplica(this.config.cluster.replicaId).catch(() => undefined);
    }
  }

  /** A session that can wait for its client elsewhere: one in no transfer or multiparty room (those re-attach). */
  private async park(
    socket: RendezvousSocket,
    graceMs: number,
  ): Promise<(ResumeCredentials & { graceMs: number }) | null> {
    const { session, attachment, room } = socket.data;
    if (!session || attachment || room) return null;
    const token = await this.signaling.park(session, signalsSentBy(socket), graceMs).catch((error: Error) => {
      this.logger.warn(`Session ${session.id} not kept for resumption: ${error.message}`);
      return null;
    });
    if (!token) return null;
    socket.data.parked = true;
    return { sessionId: session.id, token, graceMs };
  }
}
