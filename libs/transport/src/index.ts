export * from './guarded-parser.js';
export * from './rendezvous-io.adapter.js';
export * from './socket-event-router.js';
