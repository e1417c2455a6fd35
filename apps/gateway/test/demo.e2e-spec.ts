import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

describe('the demo page', () => {
  let app: INestApplication;
  let url: string;
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp());
  });
  afterAll(async () => app?.close());

  it('serves the page, its script, the client modules and socket.io-client for browsers', async () => {
    const page = await get('/demo');
    expect(page).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
    expect(page.body).toContain('"socket.io-client": "/demo/vendor/socket.io.esm.min.js"');
    const script = await get('/demo/demo.js');
    expect(script).toMatchObject({ status: 200, type: expect.stringContaining('javascript') });
    expect(script.body).toContain("from '/demo/client/index.js'");
    expect((await get('/demo/demo.css')).status).toBe(200);
    const client = await get('/demo/client/index.js');
    expect(client).toMatchObject({ status: 200, type: expect.stringContaining('javascript') });
    expect((await get('/demo/client/rendezvous-client.js')).body).toContain("from 'socket.io-client'");
    const vendor = await get('/demo/vendor/socket.io.esm.min.js');
    expect(vendor.status).toBe(200);
    expect(vendor.body).toMatch(/export\s*\{/);
  });

  it('serves nothing else', async () => {
    for (const path of [
      '/demo/client/..%2F..%2F..%2Fpackage.json',
      '/demo/client/Index.JS',
      '/demo/client/x.ts',
      '/demo/other.js',
    ]) {
      expect((await get(path)).status).toBe(404);
    }
  });
});
