export * from './transfer-room.js';
