export * from './test-client.js';
export * from './test-config.js';
export * from './test-rendezvous.js';
export { RedisProcess, freeLoopbackPort } from './redis-process.js';
