export * from './room-expiry.task.js';
