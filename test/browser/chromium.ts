import { execFileSync } from 'node:child_process';
import { type Browser, chromium } from 'playwright-core';

/**
 * Inside the scenario's own network namespace: loopback up and a veth pair (`<subnet>.1` on rv0, `<subnet>.2` on
 * rv1) with a default route through it, so Chromium has interfaces to gather host candidates on and nothing
 * touches the host's network.
 */
function setUpNamespaceNetwork(subnet: string): void {
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
function launchChromium(): Promise<Browser> {
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

/**
 * A scenario's frame: what `run` starts (through `keep`) is stopped in reverse order at the end, Chromium is
 * closed, and one JSON line says what happened (`{ok: true, ...result}` or `{ok: false, error}`).
 */
export async function runScenario(
  subnet: string,
  run: (tools: {
    keep<T extends { stop(): Promise<unknown> }>(item: T): T;
    browser(): Promise<Browser>;
  }) => Promise<object>,
): Promise<void> {
  setUpNamespaceNetwork(subnet);
  const started: { stop(): Promise<unknown> }[] = [];
  let browser: Browser | null = null;
  try {
    const result = await run({
      keep: (item) => {
        started.push(item);
        return item;
      },
      browser: async () => (browser ??= await launchChromium()),
    });
    process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: (error as Error).stack ?? String(error) })}\n`);
  } finally {
    await (browser as Browser | null)?.close().catch(() => undefined);
    await Promise.allSettled(started.reverse().map((item) => item.stop()));
  }
}
