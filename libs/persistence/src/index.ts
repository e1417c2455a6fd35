export * from './database-url.js';
export * from './migrator.js';
