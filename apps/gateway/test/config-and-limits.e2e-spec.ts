import type { INestApplication } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { sleep } from '../../../test/support/ports.js';
import { Replica, runEntrypoint } from '../../../test/support/replica.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;

describe('configuration and limits', () => {
  let app: INestApplication | null = null;
  const clients: Client[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await app?.close();
    app = null;
  });

  const start = async (env: Record<string, string>) => {
    const started = await startGatewayApp({ TRUSTED_PROXIES: '127.0.0.1', ...env });
    app = started.app;
    return async (address: string) => {
      const client = await TestClient.connect(started.url, { headers: { 'x-forwarded-for': address } });
      clients.push(client);
      return client;
    };
  };

  it('listens with LISTEN_BACKLOG as its accept queue (room for a reconnect storm)', async () => {
    const replica = await Replica.start('backlog', { LISTEN_BACKLOG: '1234' });
    try {
      // For a listening socket, ss reports the backlog as its Send-Q; the kernel caps it at somaxconn.
      const listing = spawnSync('ss', ['-ltnH', `sport = :${replica.port}`], { encoding: 'utf8' });
      const [, , backlog] = listing.stdout.trim().split(/\s+/);
      const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
      expect(Number(backlog)).toBe(Math.min(1234, somaxconn));
    } finally {
      await replica.stop();
    }
  });

  it('refuses to start on a bad variable and names it', () => {
    const result = runEntrypoint({ PORT: 'eighty', REDIS_URL: 'http://wrong', REPLICA_TIMEOUT_MS: '1' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('REDIS_URL');
    expect(result.stderr).toContain('REPLICA_TIMEOUT_MS');
  });

  it('refuses to start when Redis cannot be reached, naming the timeout variable', () => {
    const result = runEntrypoint({
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CONNECT_TIMEOUT_MS: '500',
      LOG_LEVEL: 'error',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Cannot reach Redis at redis://127.0.0.1:1 (REDIS_URL)');
    expect(result.stderr).toContain('REDIS_CONNECT_TIMEOUT_MS=500');
  });

  it('expires a flight nobody joined after FLIGHT_TTL_MS', async () => {
    const connect = await start({ FLIGHT_TTL_MS: '1000' });
    const host = await connect('10.70.0.1');
    const guest = await connect('10.70.0.2');
    const created = await host.request<{ flightCode: string }>('create-flight');
    const code = created.ok ? created.data.flightCode : '';
    await sleep(1_300);
    expect(await guest.request('join-flight', { flightCode: code })).toMatchObject({
      ok: false,
      error: { code: 'flight_not_found' },
    });
    expect(await host.request('create-flight')).toMatchObject({ ok: true });
  });

  it('caps presence lists at PRESENCE_LIST_LIMIT', async () => {
    const connect = await start({ PRESENCE_LIST_LIMIT: '2' });
    const reader = await connect('192.168.90.1');
    for (let i = 2; i <= 5; i++) await connect(`192.168.90.${i}`);
    await sleep(200);
    const updates = reader.received.filter((r) => r.event === 'users-on-network-update');
    const last = updates.at(-1)?.payload as { users: unknown[] };
    expect(last.users).toHaveLength(2);
    expect(updates.every((u) => (u.payload as { users: unknown[] }).users.length <= 2)).toBe(true);
  });
});
