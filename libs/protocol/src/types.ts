// The protocol without its zod schemas: event maps, payload types, error codes and messages. What a client
// (libs/client, the @rendezvous/client package) needs; it loads nothing at run time but the error tables.
export * from './errors.js';
export * from './events.js';
export * from './payloads.js';
