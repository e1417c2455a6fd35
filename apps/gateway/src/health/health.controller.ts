import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { withTimeout } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { PrismaService } from '@rendezvous/persistence';
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
    @Inject(PrismaService) private readonly database: PrismaService,
  ) {}

  /** Liveness checks nothing external: a Redis outage must not make Kubernetes restart every replica. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const report: Record<string, string> = {};
    let ready = !this.readiness.isDraining;
    if (this.readiness.isDraining) report.replica = 'draining';
    const checks = await Promise.all([
      this.config.mode === 'cluster' ? check('redis', () => this.store.ping()) : null,
      check('database', () => this.database.ping()),
    ]);
    for (const result of checks) {
      if (!result) continue;
      report[result.name] = result.status;
      if (result.status !== 'ok') ready = false;
    }
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', mode: this.config.mode, checks: report };
  }
}

/** One dependency check with a timeout: `ok`, or `down: <reason>`. */
async function check(name: string, probe: () => Promise<void>): Promise<{ name: string; status: string }> {
  try {
    await withTimeout(probe(), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
    return { name, status: 'ok' };
  } catch (error) {
    return { name, status: `down: ${(error as Error).message}` };
  }
}
