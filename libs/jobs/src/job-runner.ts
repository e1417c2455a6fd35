import { Logger } from '@nestjs/common';
import type { JobLock } from '@rendezvous/cluster';
import type { JobMetrics } from './job-metrics.js';

export interface JobOutcome {
  found: number;
  deleted: number;
  failed: number;
  pruned: number;
}

export interface JobDefinition {
  name: string;
  intervalMs: number;
  /** A run taking longer than this loses its lock (and another process may start one). */
  maxRunMs: number;
  run(now: Date): Promise<JobOutcome>;
}

/** One JSON log line per run: what it found and did, or why it could not. */
export interface JobReport extends JobOutcome {
  job: string;
  tick: number;
  databaseAvailable: boolean;
  durationMs: number;
  error?: string;
}

/**
 * Runs a job at most once per tick cluster-wide (see JobLock) and logs one structured line per run. A failing
 * run (e.g. the database is down) is logged with `databaseAvailable: false` and the next tick tries again.
 */
export class JobRunner {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly lock: JobLock,
    private readonly metrics: JobMetrics | null = null,
  ) {}

  async runOnce(job: JobDefinition, now = new Date()): Promise<JobReport | null> {
    const tick = Math.floor(now.getTime() / job.intervalMs);
    let token: string | null;
    try {
      token = await this.lock.claim(job.name, tick, job.intervalMs, job.maxRunMs);
    } catch (error) {
      this.logger.warn(`${job.name}: lock unavailable (${(error as Error).message}); skipped`);
      return null;
    }
    if (!token) {
      this.metrics?.skipped(job.name);
      return null;
    }
    const started = Date.now();
    let report: JobReport;
    try {
      const outcome = await job.run(now);
      report = { job: job.name, tick, databaseAvailable: true, ...outcome, durationMs: Date.now() - started };
    } catch (error) {
      report = {
        job: job.name,
        tick,
        databaseAvailable: false,
        found: 0,
        deleted: 0,
        failed: 0,
        pruned: 0,
        durationMs: Date.now() - started,
        error: (error as Error).message.split('\n')[0],
      };
    } finally {
      await this.lock.release(job.name, token).catch(() => undefined);
    }
    // The report's fields become fields of the JSON log line.
    this.logger.log(report, `${job.name} run ${tick} finished`);
    this.metrics?.record(report);
    return report;
  }
}
