import { Inject, Injectable, Logger } from '@nestjs/common';
import { type IceServerConfig, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { CloudflareTurnClient } from './cloudflare-turn.js';
import { mintTurnRestCredential } from './turn-rest.js';

/**
 * The ICE servers a session gets, from every configured source in this order: ICE_SERVERS_JSON verbatim,
 * STUN_URLS, static TURN (TURN_URL), TURN REST credentials minted for this session (TURN_SECRET), Cloudflare
 * TURN. No source is configured by default: no hidden third-party servers.
 */
@Injectable()
export class IceServersService {
  private readonly logger = new Logger('IceServers');
  readonly cloudflare: CloudflareTurnClient | null;

  constructor(@Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig) {
    this.cloudflare = config.ice.cloudflare ? new CloudflareTurnClient(config.ice.cloudflare) : null;
  }

  /** Without waiting: Cloudflare's servers only when cached (a refresh starts in the background). */
  forSession(sessionId: string, nowMs = Date.now()): IceServerConfig[] {
    const cloudflare = this.cloudflare?.cachedServers() ?? null;
    if (this.cloudflare && !cloudflare) void this.cloudflareServers();
    return [...this.ownServers(sessionId, nowMs), ...(cloudflare ?? [])];
  }

  /** Waits for Cloudflare (bounded by its timeout) when it is configured; a failure leaves its servers out. */
  async resolveForSession(sessionId: string, nowMs = Date.now()): Promise<IceServerConfig[]> {
    return [...this.ownServers(sessionId, nowMs), ...(await this.cloudflareServers())];
  }

  private ownServers(sessionId: string, nowMs: number): IceServerConfig[] {
    const { servers, stunUrls, staticTurn, turnRest } = this.config.ice;
    const list: IceServerConfig[] = servers.map((server) => ({ ...server }));
    if (stunUrls.length) list.push({ urls: stunUrls });
    if (staticTurn)
      list.push({ urls: staticTurn.urls, username: staticTurn.username, credential: staticTurn.credential });
    if (turnRest) {
      const { username, credential } = mintTurnRestCredential(turnRest.secret, sessionId, turnRest.ttlSeconds, nowMs);
      list.push({ urls: turnRest.urls, username, credential });
    }
    return list;
  }

  private async cloudflareServers(): Promise<IceServerConfig[]> {
    if (!this.cloudflare) return [];
    try {
      return await this.cloudflare.iceServers();
    } catch (error) {
      this.logger.warn((error as Error).message);
      return [];
    }
  }
}
