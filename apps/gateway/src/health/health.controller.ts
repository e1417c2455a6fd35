import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { withTimeout } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { LIVE_STATE_STORE, type LiveStateStore } from '@rendezvous/signaling';
import type { Response } from 'express';
import { ReadinessState } from '../common/readiness.state.js';

const CHECK_TIMEOUT_MS = 1_000;

@Controller('health')
export class HealthController {
  constructor(
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(LIVE_STATE_STORE) private readonly store: LiveStateStore,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
  ) {}

  /** Liveness checks nothing external: a Redis outage must not make Kubernetes restart every replica. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks: Record<string, string> = {};
    let ready = !this.readiness.isDraining;
    if (this.readiness.isDraining) checks.replica = 'draining';
    if (this.config.mode === 'cluster') {
      try {
        await withTimeout(this.store.ping(), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
        checks.redis = 'ok';
      } catch (error) {
        ready = false;
        checks.redis = `down: ${(error as Error).message}`;
      }
    }
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', mode: this.config.mode, checks };
  }
}
