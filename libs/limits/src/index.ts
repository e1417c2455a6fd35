export * from './client-limits.js';
