import { Controller, Get, HttpException, Inject, Logger } from '@nestjs/common';
import type { IceServerConfig } from '@rendezvous/config';
import { IceServersService } from '@rendezvous/ice';

/**
 * DropSilk's `GET /api/turn-credentials`: Cloudflare's `{iceServers}` (cached until shortly before they expire),
 * 501 when Cloudflare TURN is not configured, 500 when it fails (the cause is logged, not sent).
 */
@Controller('api/turn-credentials')
export class TurnCredentialsController {
  private readonly logger = new Logger('TurnCredentials');

  constructor(@Inject(IceServersService) private readonly ice: IceServersService) {}

  @Get()
  async credentials(): Promise<{ iceServers: IceServerConfig[] }> {
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
