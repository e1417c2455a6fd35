import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, redactedUrl } from '@rendezvous/config';
import { PinoNestLogger } from '@rendezvous/logging';
import { SchedulerModule } from './scheduler.module.js';

async function main(): Promise<void> {
  const logger = new Logger('Scheduler');
  const config = loadConfigOrExit();
  const module = SchedulerModule.forRoot(config);
  const options = { bufferLogs: true };
  const { schedulerPort } = config.server;
  // No public HTTP: with SCHEDULER_PORT (default 8081) only /health/* and /metrics, for probes and Prometheus.
  if (schedulerPort) {
    const app = await NestFactory.create(module, options);
    app.useLogger(app.get(PinoNestLogger));
    app.enableShutdownHooks();
    await app.listen(schedulerPort, config.server.host);
  } else {
    const app = await NestFactory.createApplicationContext(module, options);
    app.useLogger(app.get(PinoNestLogger));
    app.enableShutdownHooks();
  }
  logger.log(
    `Rendezvous scheduler ${config.cluster.replicaId} started (${config.mode}` +
      `${config.mode === 'cluster' ? `, redis ${redactedUrl(config.redis.url)}` : ''}): room expiry every ` +
      `${config.rooms.cleanupIntervalMs} ms` +
      (schedulerPort ? `; /health and /metrics on ${config.server.host}:${schedulerPort}` : ''),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`Rendezvous scheduler failed to start: ${error.message}\n`);
  process.exit(1);
});
