import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { JobLock } from '@rendezvous/cluster';
import { type JobDefinition, JobRunner } from './job-runner.js';
import type { JobMetrics } from './job-metrics.js';
import type { JobTimers } from './job-timers.js';

/** A job run once at start, then on its interval, at most once per tick cluster-wide (see JobLock). */
export class PeriodicJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runner: JobRunner;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    readonly definition: JobDefinition,
    lock: JobLock,
    private readonly timers: JobTimers,
    metrics: JobMetrics | null = null,
  ) {
    this.runner = new JobRunner(lock, metrics);
  }

  onApplicationBootstrap(): void {
    this.tick();
    this.timers.every(this.definition.name, this.definition.intervalMs, () => this.tick());
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.stop?.();
    await this.running;
  }

  private tick(): void {
    this.running = this.runner.runOnce(this.definition).catch(() => undefined);
  }
}

export const ROOM_EXPIRY_JOB = Symbol('ROOM_EXPIRY_JOB');
export const PREVIEW_CLEANUP_JOB = Symbol('PREVIEW_CLEANUP_JOB');
