export * from './log-ring-buffer.js';
export * from './logger-options.js';
export * from './logging.module.js';
export * from './logs.controller.js';
export { Logger as PinoNestLogger } from 'nestjs-pino';
