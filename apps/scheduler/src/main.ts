import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, loggerLevels, redactedUrl } from '@rendezvous/config';
import { SchedulerModule } from './scheduler.module.js';

async function main(): Promise<void> {
  const logger = new Logger('Scheduler');
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(SchedulerModule.forRoot(config), {
    logger: loggerLevels(config),
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
