import type { RendezvousConfig } from './config.js';

/** DropSilk's answer to a refused handshake, kept word for word. */
export const INVALID_ORIGIN_MESSAGE = 'Forbidden: Invalid Origin';

export type OriginVerdict = 'allowed' | 'missing' | 'forbidden';

/**
 * Who may open a socket or call the HTTP API from a browser: the configured origins (ALLOWED_ORIGINS,
 * ALLOWED_ORIGIN_REGEX, --allow-local-port) and the server's own pages (an Origin naming the Host it asked,
 * e.g. /demo). Without an Origin (not a browser) a request is accepted outside production, as DropSilk does.
 */
export class OriginPolicy {
  private readonly pattern: RegExp | null;

  constructor(private readonly config: Pick<RendezvousConfig, 'origins' | 'server'>) {
    this.pattern = config.origins.pattern ? new RegExp(config.origins.pattern) : null;
  }

  /** A cross-origin browser caller this server trusts. */
  isAllowed(origin: string): boolean {
    return this.config.origins.allowed.includes(origin) || (this.pattern?.test(origin) ?? false);
  }

  verdict(origin: string | undefined, host: string | undefined): OriginVerdict {
    if (origin === undefined || origin === '') {
      return this.config.server.nodeEnv === 'production' ? 'missing' : 'allowed';
    }
    if (this.isAllowed(origin)) return 'allowed';
    try {
      if (host !== undefined && new URL(origin).host === host.toLowerCase()) return 'allowed';
    } catch {
      return 'forbidden';
    }
    return 'forbidden';
  }
}
