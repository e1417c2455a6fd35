import { Controller, Get, HttpException, Inject, Logger, Req, UseFilters } from '@nestjs/common';
import { LimitExceededFilter } from '../http/http-limits.js';
import type { IceServerConfig } from '@rendezvous/config';
import { IceServersService } from '@rendezvous/ice';
import { CLIENT_LIMITS, type ClientLimiter } from '@rendezvous/limits';
import type { Request } from 'express';
import { ClientAddress } from '../common/client-address.js';

/**
 * DropSilk's `GET /api/turn-credentials`: Cloudflare's `{iceServers}` (cached until shortly before they expire),
 * 501 when Cloudflare TURN is not configured, 500 when it fails (the cause is logged, not sent). Each call may
 * cost a Cloudflare API call: TURN_CREDENTIALS_PER_MINUTE per address (429 beyond).
 */
@Controller('api/turn-credentials')
@UseFilters(LimitExceededFilter)
export class TurnCredentialsController {
  private readonly logger = new Logger('TurnCredentials');

  constructor(
    @Inject(IceServersService) private readonly ice: IceServersService,
    @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
  ) {}

  @Get()
  async credentials(@Req() request: Request): Promise<{ iceServers: IceServerConfig[] }> {
    await this.limits.take('turn-credentials', this.addresses.of(request));
    const cloudflare = this.ice.cloudflare;
    if (!cloudflare) throw new HttpException({ error: 'TURN service is not configured on the server.' }, 501);
    try {
      return { iceServers: await cloudflare.iceServers() };
    } catch (error) {
      this.logger.warn((error as Error).message);
      throw new HttpException({ error: 'Could not fetch TURN credentials.' }, 500);
    }
  }
}
