export * from './identifiers.js';
export * from './live-state.port.js';
export * from './network.js';
export * from './signaling.errors.js';
export * from './signaling.service.js';
export * from './flight-stories.js';
