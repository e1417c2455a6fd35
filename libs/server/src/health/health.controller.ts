import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections } from '@rendezvous/cluster';
import { checkDependency, readinessOf } from '@rendezvous/observability';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { PrismaService } from '@rendezvous/persistence';
import { LIVE_STATE, type LiveState } from '@rendezvous/signaling';
import type { Response } from 'express';
import { ReadinessState } from '@rendezvous/sessions';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(LIVE_STATE) private readonly liveState: Pick<LiveState, 'replicas'>,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(PrismaService) private readonly database: PrismaService,
    @Inject(REDIS_CONNECTIONS) private readonly redis: RedisConnections | null,
  ) {}

  /** Liveness checks nothing external: a Redis outage must not make Kubernetes restart every replica. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const { ready: dependenciesReady, checks } = await readinessOf([
      this.config.mode === 'cluster' ? checkDependency('redis', () => this.redisReady()) : null,
      checkDependency('database', () => this.database.ping()),
    ]);
    const report: Record<string, string> = this.readiness.isDraining ? { replica: 'draining', ...checks } : checks;
    const ready = dependenciesReady && !this.readiness.isDraining;
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', mode: this.config.mode, checks: report };
  }

  /** Redis answers, and all three connections are up (on Redis Cluster: subscriptions confirmed on every master). */
  private async redisReady(): Promise<void> {
    await this.liveState.replicas.ping();
    const notReady = this.redis?.notReady();
    if (notReady) throw new Error(notReady);
  }
}
