import { Controller, Get, Inject, Res } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections } from '@rendezvous/cluster';
import { checkDependency, readinessOf } from '@rendezvous/observability';
import { PrismaService } from '@rendezvous/persistence';
import type { Response } from 'express';

/** The scheduler's only HTTP (with /metrics), on SCHEDULER_PORT: probes for Kubernetes. */
@Controller()
export class SchedulerHealthController {
  constructor(
    @Inject(PrismaService) private readonly database: PrismaService,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
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
}
