export * from './transfer-room.js';
export * from './room-attachment.service.js';
