export * from './config.js';
export * from './config.module.js';
export * from './origin-policy.js';
