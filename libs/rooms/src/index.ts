export * from './transfer-room.js';
export * from './room-attachment.service.js';
export * from './multiparty/multiparty-state.port.js';
export * from './multiparty/multiparty-room.store.js';
export * from './multiparty/multiparty-room.service.js';
export * from './multiparty/password.js';
export * from './room-cleanup.js';
