export * from './cloudflare-turn.js';
export * from './ice-servers.service.js';
export * from './turn-rest.js';
