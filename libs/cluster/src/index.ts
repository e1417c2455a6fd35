export * from './guarded-parser.js';
export * from './memory-live-state.store.js';
export * from './redis-live-state.store.js';
export * from './redis.connections.js';
export * from './rendezvous-io.adapter.js';
export * from './replica-monitor.js';
export * from './cluster.module.js';
