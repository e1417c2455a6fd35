import { request as httpRequest } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

/** Engine.IO's opening request, as a browser page would send it with its Origin. */
const handshake = async (url: string, origin?: string) => {
  const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
    headers: origin ? { origin } : {},
  });
  return { status: response.status, body: await response.text() };
};

/** A polling handshake naming another Host than the address it reaches (fetch cannot set Host). */
const handshakeWithHost = (url: string, origin: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const request = httpRequest(
      `${url}/socket.io/?EIO=4&transport=polling`,
      { headers: { origin, host } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end();
  });

/** A WebSocket handshake straight to the websocket transport: the upgrade is answered or refused. */
const upgrade = (url: string, origin: string) =>
  new Promise<number>((resolve) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { origin });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => undefined);
  });

describe('origins on the Socket.IO handshake and CORS', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp(
      {
        ALLOWED_ORIGINS: 'https://app.example,app://.',
        VERCEL_PREVIEW_ORIGIN_REGEX: '^https://app-[a-z0-9]+-team\\.vercel\\.app$',
      },
      ['--allow-local-port=5173'],
    ));
  });
  afterAll(async () => app?.close());

  it.each([
    ['an ALLOWED_ORIGINS entry', 'https://app.example'],
    ['the Electron app origin', 'app://.'],
    ['a preview deployment matching the regex (DropSilk alias)', 'https://app-x1y2-team.vercel.app'],
    ['localhost on --allow-local-port', 'http://localhost:5173'],
    ['127.0.0.1 on --allow-local-port', 'http://127.0.0.1:5173'],
  ])('accepts %s', async (_what, origin) => {
    expect((await handshake(url, origin)).status).toBe(200);
    expect(await upgrade(url, origin)).toBe(101);
  });

  it("accepts the server's own pages and, outside production, clients without an Origin", async () => {
    expect((await handshake(url, url)).status).toBe(200);
    expect((await handshake(url)).status).toBe(200);
  });

  it.each([
    ['a foreign site', 'https://evil.example'],
    ['a look-alike of an allowed origin', 'https://app.example.evil.example'],
    ['a regex look-alike', 'https://app-x1y2-team.vercel.app.evil.example'],
    ['localhost on another port', 'http://localhost:5174'],
    ['a malformed Origin', 'not a url'],
  ])('refuses %s with 403 "Forbidden: Invalid Origin"', async (_what, origin) => {
    expect(await handshake(url, origin)).toEqual({
      status: 403,
      body: JSON.stringify({ code: 4, message: 'Forbidden: Invalid Origin' }),
    });
    expect(await upgrade(url, origin)).toBe(403);
  });

  it('answers CORS for allowed origins only', async () => {
    const allowed = await fetch(`${url}/stats`, { headers: { origin: 'https://app.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const preflight = await fetch(`${url}/api/rooms`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app-x1y2-team.vercel.app', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app-x1y2-team.vercel.app');
    const foreign = await fetch(`${url}/stats`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('in production', () => {
    let production: INestApplication;
    let productionUrl: string;

    beforeAll(async () => {
      ({ app: production, url: productionUrl } = await startGatewayApp({
        NODE_ENV: 'production',
        ALLOWED_ORIGINS: 'https://app.example',
      }));
    });
    afterAll(async () => production?.close());

    it('refuses a handshake without an Origin, and still accepts allowed origins', async () => {
      expect(await handshake(productionUrl)).toEqual({
        status: 403,
        body: JSON.stringify({ code: 4, message: 'Forbidden: Invalid Origin' }),
      });
      expect((await handshake(productionUrl, 'https://app.example')).status).toBe(200);
      expect((await handshake(productionUrl, 'https://evil.example')).status).toBe(403);
    });

    it('accepts its own page on a loopback address (docker run -p 8080:8080, /demo), not a DNS-rebound one', async () => {
      // productionUrl is http://127.0.0.1:<port>: the page's origin is the Host it was served under.
      expect((await handshake(productionUrl, productionUrl)).status).toBe(200);
      const { port } = new URL(productionUrl);
      expect((await handshake(productionUrl, `http://localhost:${port}`)).status).toBe(403);
      // A rebinding page is served under the attacker's name, which is then both its Origin and the Host.
      const rebound = `rebound.example:${port}`;
      expect(await handshakeWithHost(productionUrl, `http://${rebound}`, rebound)).toBe(403);
    });
  });
});
