import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
  type NestMiddleware,
} from '@nestjs/common';
import { CLIENT_LIMITS, type ClientLimiter, LimitExceeded } from '@rendezvous/limits';
import type { NextFunction, Request, Response } from 'express';
import { ClientAddress } from '../common/client-address.js';

/** HTTP_REQUESTS_PER_MINUTE for everything under /api, per client address, cluster-wide. */
@Injectable()
export class ApiRequestLimit implements NestMiddleware {
  constructor(
    @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    if (request.method === 'OPTIONS') return next();
    this.limits.take('http-requests', this.addresses.of(request)).then(
      () => next(),
      (error: unknown) => (error instanceof LimitExceeded ? answerLimited(response, error) : next()),
    );
  }
}

/** 429 with Retry-After, in DropSilk's `{error}` shape. */
export function answerLimited(response: Response, limited: LimitExceeded): void {
  const seconds = limited.retryAfterSeconds;
  response
    .status(429)
    .setHeader('Retry-After', String(seconds))
    .json({
      error: limited.isLockout
        ? `Too many failed attempts; try again in ${seconds} seconds.`
        : `Too many requests; try again in ${seconds} seconds.`,
    });
}

/** A limit reached anywhere in an HTTP handler answers 429. */
@Catch(LimitExceeded)
export class LimitExceededFilter implements ExceptionFilter {
  catch(limited: LimitExceeded, host: ArgumentsHost): void {
    answerLimited(host.switchToHttp().getResponse<Response>(), limited);
  }
}
