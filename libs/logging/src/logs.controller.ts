import { Controller, ForbiddenException, Get, Header, Inject, NotFoundException, Query, Res } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { LogRingBuffer } from './log-ring-buffer.js';

/** DropSilk's GET /logs?key=: the recent log lines of this process as plain text. */
@Controller('logs')
export class LogsController {
  private readonly keyDigest: Buffer | null;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) config: RendezvousConfig,
    @Inject(LogRingBuffer) private readonly buffer: LogRingBuffer,
  ) {
    const key = config.server.logAccessKey;
    this.keyDigest = key === null ? null : digest(key);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  logs(@Query('key') key: unknown, @Res({ passthrough: true }) response: Response): string {
    // Without LOG_ACCESS_KEY the endpoint does not exist, as far as anyone can tell.
    if (this.keyDigest === null) throw new NotFoundException();
    if (typeof key !== 'string' || !timingSafeEqual(digest(key), this.keyDigest)) {
      throw new ForbiddenException('Invalid or missing log access key.');
    }
    response.type('text/plain; charset=utf-8');
    const lines = this.buffer.lines();
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}

/** Equal-length digests, so the comparison takes the same time whatever the key's length or content. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
