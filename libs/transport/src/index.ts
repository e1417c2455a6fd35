export * from './guarded-parser.js';
export * from './rendezvous-io-server.js';
export * from './socket-event-router.js';
