import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { CloudflareStandIn } from '../../../test/support/cloudflare-stand-in.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;
type IceServer = { urls: string | string[]; username?: string; credential?: string };

const TURN_SECRET = 'rest-secret-never-sent';
const NOT_CONFIGURED = { error: 'TURN service is not configured on the server.' };
const FETCH_FAILED = { error: 'Could not fetch TURN credentials.' };

describe('ICE configuration: rtc-config, get-ice-servers and /api/turn-credentials', () => {
  const clients: Client[] = [];
  const apps: INestApplication[] = [];
  let standIn: CloudflareStandIn;

  const start = async (env: Record<string, string>) => {
    const started = await startGatewayApp(env);
    apps.push(started.app);
    return started.url;
  };
  const connect = async (url: string) => {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  };
  const turnCredentials = async (url: string) => {
    const response = await fetch(`${url}/api/turn-credentials`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    standIn = await CloudflareStandIn.start();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(apps.splice(0).map((app) => app.close()));
    standIn.mode = 'ok';
    standIn.requests.length = 0;
  });
  afterAll(async () => standIn?.stop());

  it('offers no ICE servers at all by default, and answers 501 for Cloudflare credentials', async () => {
    const url = await start({});
    const client = await connect(url);
    expect(await client.next('rtc-config')).toEqual({ iceServers: [] });
    expect(await client.request('get-ice-servers', {})).toEqual({ ok: true, data: [] });
    expect(await client.next('ice-servers')).toEqual([]);
    expect(await turnCredentials(url)).toEqual({ status: 501, body: NOT_CONFIGURED });
  });

  it('combines every source, mints TURN REST credentials per session, and never sends a secret', async () => {
    const verbatim = [
      { urls: ['stun:stun.example.org:3478'] },
      { urls: 'turns:turn.example.org:5349', username: 'u', credential: 'c' },
    ];
    const url = await start({
      QUIBBLE_ICE_SERVERS_JSON: JSON.stringify(verbatim),
      STUN_URLS: 'stun:stun1.example.net:3478,stun:stun2.example.net:3478',
      TURN_URL: 'turn:static.example.net:3478',
      TURN_USERNAME: 'static-user',
      TURN_CREDENTIAL: 'static-pass',
      TURN_SECRET,
      TURN_URLS: 'turn:rest.example.net:3478?transport=udp,turn:rest.example.net:3478?transport=tcp',
      TURN_TTL_SECONDS: '7200',
      CLOUDFLARE_TURN_TOKEN_ID: standIn.keyId,
      CLOUDFLARE_API_TOKEN: standIn.apiToken,
      CLOUDFLARE_TURN_API_URL: standIn.apiUrl,
    });

    const cloudflare = await turnCredentials(url);
    expect(cloudflare.status).toBe(200);
    expect(cloudflare.body).toEqual({
      iceServers: [
        { urls: ['stun:stun.cloudflare.com:3478', 'stun:stun.cloudflare.com:53'] },
        expect.objectContaining({ username: 'cf-user-1', credential: 'cf-credential-1' }),
      ],
    });
    expect(await turnCredentials(url)).toEqual(cloudflare);
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]).toMatchObject({ authorization: `Bearer ${standIn.apiToken}`, body: { ttl: 3600 } });

    const [alice, bob] = [await connect(url), await connect(url)];
    const { iceServers } = await alice.next<{ iceServers: IceServer[] }>('rtc-config');
    const before = Math.floor(Date.now() / 1000);
    expect(iceServers.slice(0, 4)).toEqual([
      ...verbatim,
      { urls: ['stun:stun1.example.net:3478', 'stun:stun2.example.net:3478'] },
      { urls: ['turn:static.example.net:3478'], username: 'static-user', credential: 'static-pass' },
    ]);
    const minted = iceServers[4] as IceServer;
    expect(minted.urls).toEqual([
      'turn:rest.example.net:3478?transport=udp',
      'turn:rest.example.net:3478?transport=tcp',
    ]);
    const [expiry, user] = String(minted.username).split(':');
    expect(user).toBe(alice.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 7200 - 5);
    expect(Number(expiry)).toBeLessThanOrEqual(before + 7200 + 5);
    expect(minted.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(iceServers.slice(5)).toEqual((cloudflare.body as { iceServers: IceServer[] }).iceServers);

    const asked = await bob.request<IceServer[]>('get-ice-servers', {});
    expect(asked.ok && asked.data[4]?.username).toMatch(new RegExp(`^\\d+:${bob.id}$`));
    expect(await bob.next('ice-servers')).toEqual(asked.ok ? asked.data : null);
    for (const payload of [JSON.stringify(iceServers), JSON.stringify(asked), JSON.stringify(cloudflare.body)]) {
      expect(payload).not.toContain(TURN_SECRET);
      expect(payload).not.toContain(standIn.apiToken);
    }
    expect(standIn.requests).toHaveLength(1);
  });

  it('answers 500 when Cloudflare fails or does not answer in time, and sessions keep the other servers', async () => {
    const url = await start({
      STUN_URLS: 'stun:stun1.example.net:3478',
      CLOUDFLARE_TURN_TOKEN_ID: standIn.keyId,
      CLOUDFLARE_API_TOKEN: standIn.apiToken,
      CLOUDFLARE_TURN_API_URL: standIn.apiUrl,
      CLOUDFLARE_TURN_TIMEOUT_MS: '300',
    });
    standIn.mode = 'error';
    expect(await turnCredentials(url)).toEqual({ status: 500, body: FETCH_FAILED });
    standIn.mode = 'slow';
    const started = Date.now();
    expect(await turnCredentials(url)).toEqual({ status: 500, body: FETCH_FAILED });
    expect(Date.now() - started).toBeLessThan(2_000);
    const client = await connect(url);
    expect(await client.request('get-ice-servers', {})).toEqual({
      ok: true,
      data: [{ urls: ['stun:stun1.example.net:3478'] }],
    });
    standIn.mode = 'ok';
    expect((await turnCredentials(url)).status).toBe(200);
  });
});
