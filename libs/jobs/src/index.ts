export * from './jobs.js';
export * from './periodic-job.js';
