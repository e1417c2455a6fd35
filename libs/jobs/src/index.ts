export * from './jobs.js';
export * from './periodic-job.js';
export * from './job-runner.js';
export * from './job-metrics.js';
export * from './job-timers.js';
