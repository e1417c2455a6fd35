import type { RendezvousConfig } from './rendezvous-config.js';

/** DropSilk's answer to a refused handshake, kept word for word. */
export const INVALID_ORIGIN_MESSAGE = 'Forbidden: Invalid Origin';

export type OriginVerdict = 'allowed' | 'missing' | 'forbidden';

/**
 * Who may open a socket or call the HTTP API from a browser: the configured origins (ALLOWED_ORIGINS,
 * ALLOWED_ORIGIN_REGEX, --allow-local-port) and the server's own pages (e.g. /demo). The server's own origin is
 * PUBLIC_SERVER_URL's; without it, the Host the request named, in production only when that Host is a loopback
 * name (a Host header is the attacker's to choose under DNS rebinding, but a rebound page names the attacker's
 * domain, never localhost: so `docker run -p 8080:8080` and http://localhost:8080/demo work with no setting).
 * Without an Origin (not a browser) a request is accepted outside production, as DropSilk does.
 */
export class OriginPolicy {
  private readonly pattern: RegExp | null;
  private readonly ownOrigin: string | null;

  constructor(private readonly config: Pick<RendezvousConfig, 'origins' | 'server' | 'previews'>) {
    this.pattern = config.origins.pattern ? new RegExp(config.origins.pattern) : null;
    this.ownOrigin = config.previews.publicUrl ? new URL(config.previews.publicUrl).origin : null;
  }

  /** Whether any browser origin is configured (ALLOWED_ORIGINS, the regex or --allow-local-port). */
  get configured(): boolean {
    return this.config.origins.allowed.length > 0 || this.pattern !== null;
  }

  /**
   * A cross-origin browser caller this server trusts. With no origin configured and outside production, that is
   * any page on this machine (a frontend's dev server on another local port works with no setting).
   */
  isAllowed(origin: string): boolean {
    if (this.config.origins.allowed.includes(origin) || (this.pattern?.test(origin) ?? false)) return true;
    return !this.configured && this.config.server.nodeEnv !== 'production' && isLoopbackOrigin(origin);
  }

  verdict(origin: string | undefined, host: string | undefined): OriginVerdict {
    if (origin === undefined || origin === '') {
      return this.config.server.nodeEnv === 'production' ? 'missing' : 'allowed';
    }
    if (this.isAllowed(origin)) return 'allowed';
    if (this.ownOrigin) return origin === this.ownOrigin ? 'allowed' : 'forbidden';
    try {
      const named = new URL(origin);
      if (host === undefined || named.host !== host.toLowerCase()) return 'forbidden';
      return this.config.server.nodeEnv !== 'production' || LOOPBACK_HOSTS.has(named.hostname)
        ? 'allowed'
        : 'forbidden';
    } catch {
      return 'forbidden';
    }
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && LOOPBACK_HOSTS.has(hostname);
  } catch {
    return false;
  }
}
