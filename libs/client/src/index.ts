export * from './negotiation.js';
export * from './rendezvous-client.js';
// The protocol's types (event maps, payloads, error codes), so a client needs no other package for them.
export type * from '@rendezvous/protocol';
