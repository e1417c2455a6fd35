export * from './transfer-room.js';
export * from './room-attachment.service.js';
export * from './multiparty/multiparty-state.port.js';
