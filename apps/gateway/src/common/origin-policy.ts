import type { RendezvousConfig } from '@rendezvous/config';

/** Which browser origins may call the HTTP API cross-origin (CORS): the configured list and pattern. */
export function originAllowed(config: RendezvousConfig, origin: string): boolean {
  const { allowed, pattern } = config.origins;
  return allowed.includes(origin) || (pattern !== null && new RegExp(pattern).test(origin));
}
