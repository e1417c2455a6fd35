export * from './client-connection.js';
export * from './cluster-bus.js';
export * from './connection-registry.js';
export * from './session-delivery.js';
export * from './room-delivery.js';
