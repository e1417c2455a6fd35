import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobReport } from './job-runner.js';

/** Prometheus metrics of the cleanup jobs: runs by result, items by kind, run duration and last run time. */
export class JobMetrics {
  private readonly runs: Counter<'job' | 'result'>;
  private readonly items: Counter<'job' | 'kind'>;
  private readonly duration: Histogram<'job'>;
  private readonly lastRun: Gauge<'job' | 'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'rendezvous_job_runs_total',
      help: 'Cleanup job runs: ok, failed (database or storage unavailable), skipped (tick taken elsewhere)',
      labelNames: ['job', 'result'],
      registers,
    });
    this.items = new Counter({
      name: 'rendezvous_job_items_total',
      help: 'Items the cleanup jobs found, deleted, failed to delete and pruned',
      labelNames: ['job', 'kind'],
      registers,
    });
    this.duration = new Histogram({
      name: 'rendezvous_job_duration_seconds',
      help: 'Duration of cleanup job runs',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    });
    this.lastRun = new Gauge({
      name: 'rendezvous_job_last_run_timestamp_seconds',
      help: 'When each job last ran here, by result',
      labelNames: ['job', 'result'],
      registers,
    });
  }

  skipped(job: string): void {
    this.runs.inc({ job, result: 'skipped' });
  }

  record(report: JobReport): void {
    const result = report.databaseAvailable ? 'ok' : 'failed';
    this.runs.inc({ job: report.job, result });
    for (const kind of ['found', 'deleted', 'failed', 'pruned'] as const) {
      this.items.inc({ job: report.job, kind }, report[kind]);
    }
    this.duration.observe({ job: report.job }, report.durationMs / 1_000);
    this.lastRun.set({ job: report.job, result }, Date.now() / 1_000);
  }
}
