export * from './errors.js';
export * from './events.js';
export * from './payloads.js';
export * from './schemas.js';
export * from './names.js';
export * from './server-schemas.js';
