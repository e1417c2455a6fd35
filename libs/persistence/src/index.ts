export * from './database-url.js';
export * from './database.client.js';
export * from './migrator.js';
export * from './persistence.module.js';
export * from './prisma-root.js';
export * from './prisma.service.js';
export * from './transfer-room.repository.js';
export * from './multiparty-room.repository.js';
