import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, redisDescription } from '@rendezvous/config';
import { PinoNestLogger } from '@rendezvous/logging';
import { configureGateway, Drain, GATEWAY_APP_OPTIONS, RendezvousModule } from '@rendezvous/server';

async function main(): Promise<void> {
  const logger = new Logger('Gateway');
  const config = loadConfigOrExit();
  // The standalone gateway is RendezvousModule with every part on: JSON logs, routes at the root, plain WebSockets.
  const rendezvous = RendezvousModule.forRoot({ config, plainWebSockets: true, logging: 'json' });
  const app = await NestFactory.create(rendezvous, {
    ...GATEWAY_APP_OPTIONS,
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  configureGateway(app);
  // Node's default accept queue (511) overflows when thousands of clients reconnect at once (a restart): each
  // dropped SYN costs its client a 1 s, then 3 s retransmission. Nest passes the backlog on to server.listen.
  const listen = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
  await listen(config.server.port, config.server.host, config.server.listenBacklog);
  logger.log(
    `Rendezvous gateway ${config.cluster.replicaId} listening on ${config.server.host}:${config.server.port} ` +
      `(${config.mode}${config.mode === 'cluster' ? `, ${redisDescription(config.redis)}` : ''})`,
  );

  // A crashing relay would drop every client of this replica: log stray rejections instead of exiting.
  process.on('unhandledRejection', (reason) => logger.error(`Unhandled rejection: ${String(reason)}`));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining (at most ${config.server.shutdownTimeoutMs} ms)`);
    const deadline = setTimeout(() => {
      logger.warn('Drain timed out; exiting');
      process.exit(0);
    }, config.server.shutdownTimeoutMs);
    deadline.unref();
    try {
      await app.get(Drain).run();
      await app.close();
    } catch (error) {
      logger.error(`Shutdown: ${(error as Error).message}`);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`Rendezvous gateway failed to start: ${error.message}\n`);
  process.exit(1);
});
