/**
 * The seeds' own web clients across replicas, in Debian's Chromium, inside their own network namespace (`unshare
 * -n`, started by apps/gateway/test/seed-browser.e2e-spec.ts). Starts redis-server, two gateway replicas and a
 * static server for the pages (another local port: another origin, as a frontend's dev server is), then: a
 * DropSilk-style host page on one replica and guest page on the other create and join a transfer room over HTTP,
 * attach over a plain WebSocket and send a file over WebRTC; two Camus-style pages, one per replica, connect in a
 * room and exchange a chat text. Prints one JSON line, and stops everything it started.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { RedisServer } from '../support/redis-server.js';
import { Replica } from '../support/replica.js';
import { runScenario } from './chromium.js';
import { SEED_PAGES } from './seed-pages.js';

interface PageState {
  [key: string]: unknown;
  errors: string[];
}

async function servePages(): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const body = SEED_PAGES[new URL(request.url ?? '/', 'http://pages').pathname];
    response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const stateOf = (page: Page) => page.evaluate<PageState>('window.state');

async function dropSilkTransfer(browser: Browser, pages: string, one: string, two: string) {
  const context = await browser.newContext();
  try {
    const host = await context.newPage();
    await host.goto(`${pages}/dropsilk.html?role=host&server=${encodeURIComponent(one)}`);
    await host.waitForFunction('window.state.code || window.state.errors.length', null, { timeout: 10_000 });
    const code = String((await stateOf(host)).code);
    const guest = await context.newPage();
    await guest.goto(`${pages}/dropsilk.html?role=guest&code=${code}&server=${encodeURIComponent(two)}`);
    await guest
      .waitForFunction('window.state.done || window.state.errors.length', null, { timeout: 20_000 })
      .catch(() => undefined);
    return { host: await stateOf(host), guest: await stateOf(guest) };
  } finally {
    await context.close();
  }
}

async function camusChat(browser: Browser, pages: string, one: string, two: string) {
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const [a, b] = (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
    await a.goto(`${pages}/camus.html?room=seed-chat&name=Ada&server=${encodeURIComponent(one)}`);
    await b.goto(`${pages}/camus.html?room=seed-chat&name=Bea&server=${encodeURIComponent(two)}`);
    for (const page of [a, b]) {
      await page
        .waitForFunction('window.state.texts.length >= 2 || window.state.errors.length', null, { timeout: 20_000 })
        .catch(() => undefined);
    }
    return { a: await stateOf(a), b: await stateOf(b) };
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

await runScenario('10.98.0', async ({ keep, browser }) => {
  const redis = keep(await RedisServer.start());
  const env = { REDIS_URL: redis.url };
  const [one, two] = await Promise.all([Replica.start('seeds-1', env), Replica.start('seeds-2', env)]);
  keep(one);
  keep(two);
  const pages = keep(await servePages());
  const chromium = await browser();
  const dropSilk = await dropSilkTransfer(chromium, pages.url, one.url, two.url);
  const camus = await camusChat(chromium, pages.url, one.url, two.url);
  return { dropSilk, camus };
});
