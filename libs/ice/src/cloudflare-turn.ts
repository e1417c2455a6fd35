import type { IceServerConfig } from '@rendezvous/config';

export interface CloudflareTurnSettings {
  tokenId: string;
  apiToken: string;
  apiUrl: string;
  ttlSeconds: number;
  timeoutMs: number;
}

/** Why Cloudflare did not give credentials; the message is for logs, never for clients. */
export class CloudflareTurnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudflareTurnError';
  }
}

const isIceServer = (value: unknown): value is IceServerConfig => {
  const urls = (value as IceServerConfig | null)?.urls;
  return (
    typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((u) => typeof u === 'string'))
  );
};

/**
 * Cloudflare's TURN service: `POST {apiUrl}/turn/keys/{tokenId}/credentials/generate-ice-servers {ttl}` with the
 * API token as bearer. One set of credentials is shared until shortly before it expires (Cloudflare's
 * credentials are not per user), so a replica calls the API about once per TTL, and concurrent callers share one
 * request. Every call has a timeout.
 */
export class CloudflareTurnClient {
  private cached: { servers: IceServerConfig[]; refreshAt: number } | null = null;
  private inFlight: Promise<IceServerConfig[]> | null = null;

  constructor(
    private readonly settings: CloudflareTurnSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fresh cached servers, or null; never waits. */
  cachedServers(): IceServerConfig[] | null {
    return this.cached && this.now() < this.cached.refreshAt ? this.cached.servers : null;
  }

  async iceServers(): Promise<IceServerConfig[]> {
    const cached = this.cachedServers();
    if (cached) return cached;
    this.inFlight ??= this.fetchServers().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetchServers(): Promise<IceServerConfig[]> {
    const { apiUrl, tokenId, apiToken, ttlSeconds, timeoutMs } = this.settings;
    const requestedAt = this.now();
    let response: Response;
    try {
      response = await fetch(`${apiUrl}/turn/keys/${encodeURIComponent(tokenId)}/credentials/generate-ice-servers`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ttl: ttlSeconds }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
      throw new CloudflareTurnError(`Cloudflare TURN API unreachable: ${reason}`);
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).slice(0, 200);
      throw new CloudflareTurnError(`Cloudflare TURN API answered ${response.status}: ${body}`);
    }
    const data = (await response.json().catch(() => null)) as { iceServers?: unknown } | null;
    const servers = data?.iceServers;
    if (!Array.isArray(servers) || servers.length === 0 || !servers.every(isIceServer)) {
      throw new CloudflareTurnError('Cloudflare TURN API answered without a valid iceServers list');
    }
    // Refresh a tenth of the lifetime (at most 5 minutes) early, so no client gets credentials about to lapse.
    const margin = Math.min(300, ttlSeconds / 10) * 1000;
    this.cached = { servers, refreshAt: requestedAt + ttlSeconds * 1000 - margin };
    return servers;
  }
}
