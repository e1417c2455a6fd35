/**
 * Real browsers across replicas. Runs inside its own network namespace (`unshare -n`, started by
 * apps/gateway/test/browser.e2e-spec.ts): a veth pair gives Chromium interfaces to gather ICE candidates on,
 * and nothing touches the host's network. Starts redis-server, coturn (TURN REST secret), two gateway replicas
 * and Debian's Chromium (playwright-core); two pages, one per replica, pair by flight code through the demo page,
 * open a WebRTC data channel and exchange a message both ways — once directly, once forced through TURN; then
 * three pages join one multiparty room and build a full mesh of data channels.
 * Prints one JSON line with what happened, and stops everything it started.
 */
import type { Browser, Page } from 'playwright-core';
import { runScenario } from './chromium.js';
import { CoturnServer } from '../support/coturn-server.js';
import { RedisServer } from '../support/redis-server.js';
import { Replica } from '../support/replica.js';
import type { MeshResult, PairResult } from './results.js';

const VETH_ADDRESS = '10.99.0.1';
const TURN_SECRET = 'browser-test-turn-secret';

async function pairPages(browser: Browser, urlA: string, urlB: string, relay: boolean): Promise<PairResult> {
  const query = relay ? '?relay=1' : '';
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const [a, b] = await Promise.all(contexts.map((context) => context.newPage()));
  const pageA = a as Page;
  const pageB = b as Page;
  const errors: string[] = [];
  for (const page of [pageA, pageB]) page.on('pageerror', (error) => errors.push(error.message));
  try {
    await pageA.goto(`${urlA}/demo${query}`);
    await pageB.goto(`${urlB}/demo${query}`);
    for (const page of [pageA, pageB]) await page.waitForFunction('!!window.rendezvousDemo?.client.session');
    await pageA.click('#create-flight');
    await pageA.waitForFunction("/^[A-Z2-9]{6}$/.test(document.getElementById('flight-code')?.textContent ?? '')");
    const code = (await pageA.textContent('#flight-code')) ?? '';
    await pageB.fill('#join-code', code.toLowerCase());
    await pageB.click('#join-flight');
    let connected = true;
    try {
      for (const page of [pageA, pageB]) {
        await page.waitForFunction('window.rendezvousDemo.state.open', null, { timeout: 20_000 });
      }
    } catch {
      connected = false;
    }
    if (connected) {
      await pageA.evaluate("window.rendezvousDemo.sendChat('hello from A')");
      await pageB.waitForFunction("window.rendezvousDemo.state.messages.some((m) => m.text === 'hello from A')");
      await pageB.evaluate("window.rendezvousDemo.sendChat('hello from B')");
      await pageA.waitForFunction("window.rendezvousDemo.state.messages.some((m) => m.text === 'hello from B')");
      // A file of 200 KB (13 chunks of 16 KB) from A to B through the demo's file sender.
      const content = Buffer.alloc(200_000, 'rendezvous');
      await pageA.setInputFiles('#file-input', { name: 'notes.txt', mimeType: 'text/plain', buffer: content });
      await pageA.click('#file-send');
      await pageB
        .waitForFunction('window.rendezvousDemo.state.files.length === 1', null, { timeout: 10_000 })
        .catch(() => undefined);
    }
    const received = (page: Page) =>
      page.evaluate<string[]>("window.rendezvousDemo.state.messages.filter((m) => m.from !== 'me').map((m) => m.text)");
    const candidateTypes = await Promise.all(
      [pageA, pageB].map((page) => page.evaluate<string | null>('window.rendezvousDemo.selectedCandidateType()')),
    );
    for (const page of [pageA, pageB])
      errors.push(...(await page.evaluate<string[]>('window.rendezvousDemo.state.errors')));
    if (!connected) {
      for (const page of [pageA, pageB])
        errors.push(await page.evaluate<string>("document.getElementById('log').innerText"));
    }
    return {
      relay,
      connected,
      candidateTypes,
      received: { a: await received(pageA), b: await received(pageB) },
      files: await pageB.evaluate<{ name: string; size: number }[]>('window.rendezvousDemo.state.files'),
      errors,
    };
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

/** Three pages in one multiparty room: a full mesh of data channels, each page greeting the two others. */
async function roomMesh(browser: Browser, urls: string[]): Promise<MeshResult> {
  const contexts = await Promise.all(urls.map(() => browser.newContext()));
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  const errors: string[] = [];
  for (const page of pages) page.on('pageerror', (error) => errors.push(error.message));
  try {
    for (const [index, page] of pages.entries()) {
      await page.goto(`${urls[index]}/demo`);
      await page.waitForFunction('!!window.rendezvousDemo?.client.session');
      await page.fill('#room-id', 'mesh-room');
      await page.click('#join-room');
    }
    const meshed = await Promise.all(
      pages.map((page) =>
        page.waitForFunction('window.rendezvousDemo.state.room.open.length === 2', null, { timeout: 25_000 }).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (meshed.every(Boolean)) {
      for (const [index, page] of pages.entries())
        await page.evaluate(`window.rendezvousDemo.sendRoom('hello from page ${index + 1}')`);
      for (const page of pages) {
        await page
          .waitForFunction('window.rendezvousDemo.state.room.messages.length === 2', null, { timeout: 10_000 })
          .catch(() => undefined);
      }
    }
    const connectedPeers = await Promise.all(
      pages.map((page) => page.evaluate<number>('window.rendezvousDemo.state.room.open.length')),
    );
    const received = await Promise.all(
      pages.map((page) =>
        page.evaluate<string[]>('window.rendezvousDemo.state.room.messages.map((m) => m.text).sort()'),
      ),
    );
    for (const page of pages) errors.push(...(await page.evaluate<string[]>('window.rendezvousDemo.state.errors')));
    if (!meshed.every(Boolean)) {
      for (const page of pages) errors.push(await page.evaluate<string>("document.getElementById('log').innerText"));
    }
    return { connectedPeers, received, errors };
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

await runScenario('10.99.0', async ({ keep, browser }) => {
  const redis = keep(await RedisServer.start());
  const coturn = keep(await CoturnServer.start(TURN_SECRET, 'rendezvous.test', VETH_ADDRESS));
  const env = {
    REDIS_URL: redis.url,
    TURN_SECRET,
    TURN_URLS: `turn:${VETH_ADDRESS}:${coturn.port}?transport=udp`,
    TURN_TTL_SECONDS: '600',
  };
  const [one, two] = await Promise.all([Replica.start('browser-1', env), Replica.start('browser-2', env)]);
  keep(one);
  keep(two);
  const chromium = await browser();
  const results = [
    await pairPages(chromium, one.url, two.url, false),
    await pairPages(chromium, two.url, one.url, true),
  ];
  const mesh = await roomMesh(chromium, [one.url, two.url, two.url]);
  return { results, mesh };
});
