import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { METRICS_REGISTRY } from './metrics-registry.js';
import type { Response } from 'express';
import type { Registry } from 'prom-client';

/** Prometheus scrape endpoint of this process (gateway replica or scheduler). */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async metrics(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.type(this.registry.contentType);
    return this.registry.metrics();
  }
}
