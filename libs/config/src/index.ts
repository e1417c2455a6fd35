export * from './config.js';
export type { IceServerConfig } from './env-schema.js';
export type { RendezvousConfig } from './rendezvous-config.js';
export * from './config.module.js';
export * from './origin-policy.js';
