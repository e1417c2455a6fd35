import { execFileSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

/**
 * Inside the scenario's own network namespace: loopback up and a veth pair (`<subnet>.1` on rv0, `<subnet>.2` on
 * rv1) with a default route through it, so Chromium has interfaces to gather host candidates on and nothing
 * touches the host's network.
 */
export function setUpNamespaceNetwork(subnet: string): void {
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'rv0', 'type', 'veth', 'peer', 'name', 'rv1');
  ip('addr', 'add', `${subnet}.1/24`, 'dev', 'rv0');
  ip('addr', 'add', `${subnet}.2/24`, 'dev', 'rv1');
  ip('link', 'set', 'rv0', 'up');
  ip('link', 'set', 'rv1', 'up');
  ip('route', 'add', 'default', 'via', `${subnet}.2`, 'dev', 'rv0');
}

/** Debian's Chromium, headless, with a new empty profile (launch(), not launchPersistentContext). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Real host addresses in candidates, not mDNS names nothing in the namespace resolves.
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
}
