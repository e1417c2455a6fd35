export * from './metrics-registry.js';
export * from './metrics.controller.js';
export * from './dependency-check.js';
export * from './with-timeout.js';
