export * from './negotiation.js';
export * from './rendezvous-client.js';
