export * from './client.js';
export * from './session-metrics.js';
export * from './readiness.state.js';
export * from './session-lifecycle.js';
export * from './flight-sessions.js';
export * from './room-sessions.js';
export * from './replica-lifecycle.js';
export * from './drain.js';
