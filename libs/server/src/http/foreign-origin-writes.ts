import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { INVALID_ORIGIN_MESSAGE, OriginPolicy, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { NextFunction, Request, Response } from 'express';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CORS only keeps a foreign page from reading an answer; a plain form POST from any site still creates a room.
 * With browser origins configured, a write that names an origin we do not trust is refused with 403 before any
 * handler runs. Writes without an Origin (servers, UploadThing's callbacks, curl) are not browsers' and pass.
 */
@Injectable()
export class ForeignOriginWrites implements NestMiddleware {
  private readonly origins: OriginPolicy;

  constructor(@Inject(RENDEZVOUS_CONFIG) config: RendezvousConfig) {
    this.origins = new OriginPolicy(config);
  }

  use(request: Request, response: Response, next: NextFunction): void {
    const origin = request.headers.origin;
    if (READS.has(request.method) || !origin || !this.origins.configured) return next();
    if (this.origins.verdict(origin, request.headers.host) === 'allowed') return next();
    response.status(403).json({ error: INVALID_ORIGIN_MESSAGE });
  }
}
