import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { checkDependency, REDIS_CONNECTIONS, readinessOf, type RedisConnections } from '@rendezvous/cluster';
import { PrismaService } from '@rendezvous/persistence';
import type { Response } from 'express';
import type { Registry } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** The scheduler's only HTTP, on SCHEDULER_PORT: probes for Kubernetes and metrics for Prometheus. */
@Controller()
export class SchedulerHealthController {
  constructor(
    @Inject(PrismaService) private readonly database: PrismaService,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** Checks nothing external: an outage of the database must not restart the scheduler. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when its database and (in a cluster) Redis answer: a run now would do its work. */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const { ready, checks } = await readinessOf([
      this.redis ? checkDependency('redis', () => this.redis!.command.ping()) : null,
      checkDependency('database', () => this.database.ping()),
    ]);
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', checks };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.type(this.registry.contentType);
    return this.registry.metrics();
  }
}
