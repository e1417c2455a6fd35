import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig, redactedUrl } from '@rendezvous/config';
import { SchedulerModule } from './scheduler.module.js';

async function main(): Promise<void> {
  const logger = new Logger('Scheduler');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const levels = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  const app = await NestFactory.createApplicationContext(SchedulerModule.forRoot(config), {
    logger: levels.slice(0, levels.indexOf(config.server.logLevel) + 1),
  });
  app.enableShutdownHooks();
  logger.log(
    `Rendezvous scheduler ${config.cluster.replicaId} started (${config.mode}` +
      `${config.mode === 'cluster' ? `, redis ${redactedUrl(config.redis.url)}` : ''}): room expiry every ` +
      `${config.rooms.cleanupIntervalMs} ms`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`Rendezvous scheduler failed to start: ${error.message}\n`);
  process.exit(1);
});
