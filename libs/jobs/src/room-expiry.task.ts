import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { type JobDefinition, type JobLock, JobRunner, type JobTimers } from '@rendezvous/cluster';
import type { RendezvousConfig } from '@rendezvous/config';
import { type DatabaseClient, PrismaMultipartyRoomStore, PrismaTransferRoomStore } from '@rendezvous/persistence';
import { type MultipartyState, RoomCleanup } from '@rendezvous/rooms';

/**
 * Room expiry as a periodic job: once at start, then every ROOM_CLEANUP_INTERVAL_MINUTES, at most once per tick
 * cluster-wide. Built by the scheduler app, and by a standalone gateway for itself.
 */
export class RoomExpiryTask implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runner: JobRunner;
  readonly job: JobDefinition;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    config: RendezvousConfig,
    database: DatabaseClient,
    live: MultipartyState,
    lock: JobLock,
    private readonly timers: JobTimers,
  ) {
    this.runner = new JobRunner(lock);
    const cleanup = new RoomCleanup(
      new PrismaTransferRoomStore(database),
      new PrismaMultipartyRoomStore(database),
      live,
      config.rooms.inactivityMs,
    );
    const intervalMs = config.rooms.cleanupIntervalMs;
    this.job = {
      name: 'room-expiry',
      intervalMs,
      maxRunMs: Math.max(intervalMs, 60_000),
      run: (now) => cleanup.run(now),
    };
  }

  onApplicationBootstrap(): void {
    this.tick();
    this.timers.every(this.job.name, this.job.intervalMs, () => this.tick());
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.stop?.();
    await this.running;
  }

  private tick(): void {
    this.running = this.runner.runOnce(this.job).catch(() => undefined);
  }
}
