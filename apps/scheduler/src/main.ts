import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, redisDescription } from '@rendezvous/config';
import { PinoNestLogger } from '@rendezvous/logging';
import { SchedulerModule } from './scheduler.module.js';

async function main(): Promise<void> {
  const logger = new Logger('Scheduler');
  const config = loadConfigOrExit();
  if (config.mode !== 'cluster') {
    // Its jobs read the cluster's live state (who is in which room); an empty in-memory one would delete rooms in
    // use. A standalone gateway runs the same jobs itself.
    process.stderr.write(
      "Invalid configuration:\n  - REDIS_URL: the scheduler needs the cluster's Redis (REDIS_URL or REDIS_CLUSTER_NODES); " +
        'a standalone gateway (neither set) runs the cleanup jobs itself\n',
    );
    process.exit(78);
  }
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
      `${config.mode === 'cluster' ? `, ${redisDescription(config.redis)}` : ''}): room expiry every ` +
      `${config.rooms.cleanupIntervalMs} ms` +
      (schedulerPort ? `; /health and /metrics on ${config.server.host}:${schedulerPort}` : ''),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`Rendezvous scheduler failed to start: ${error.message}\n`);
  process.exit(1);
});
