import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { eventually } from '../../../test/support/ports.js';
import { RedisServer } from '../../../test/support/redis-server.js';
import { Replica } from '../../../test/support/replica.js';

const LIMIT = 3;

/** One connection attempt from `address` (behind the trusted proxy): in, or refused with its reason. */
function attempt(url: string, address: string): Promise<{ ok: true; close(): void } | { ok: false; code: string }> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { 'x-forwarded-for': address },
  });
  return new Promise((resolve) => {
    socket.on('registered', () => resolve({ ok: true, close: () => socket.close() }));
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      socket.close();
      resolve({ ok: false, code: error.data?.code ?? error.message });
    });
  });
}

describe('MAX_CONNECTIONS_PER_IP across two replicas', () => {
  let redis: RedisServer;
  let one: Replica;
  let two: Replica;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = {
      REDIS_URL: redis.url,
      TRUSTED_PROXIES: '127.0.0.1',
      MAX_CONNECTIONS_PER_IP: String(LIMIT),
      REPLICA_HEARTBEAT_MS: '250',
      REPLICA_TIMEOUT_MS: '1500',
    };
    [one, two] = await Promise.all([Replica.start('iplimit-1', env), Replica.start('iplimit-2', env)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.stop();
  });

  it('counts one address over both replicas, frees a slot on disconnect, and forgets a dead replica', async () => {
    const address = '198.51.100.7';
    const onOne = await TestClient.connect(one.url, { headers: { 'x-forwarded-for': address } });
    const onTwo = [
      await TestClient.connect(two.url, { headers: { 'x-forwarded-for': address } }),
      await TestClient.connect(two.url, { headers: { 'x-forwarded-for': address } }),
    ];
    expect(await attempt(two.url, address)).toEqual({ ok: false, code: 'too_many_connections' });
    expect(await attempt(one.url, address)).toEqual({ ok: false, code: 'too_many_connections' });
    // Other addresses are not affected.
    const neighbour = await attempt(one.url, '198.51.100.8');
    expect(neighbour.ok).toBe(true);
    if (neighbour.ok) neighbour.close();

    // A disconnect on one replica frees the slot for a connection on the other.
    onTwo[0]!.close();
    const replacement = await eventually(async () => {
      const result = await attempt(two.url, address);
      return result.ok ? result : undefined;
    }, 'a freed slot');
    expect(await attempt(two.url, address)).toEqual({ ok: false, code: 'too_many_connections' });

    // A replica that dies stops counting once its counts expire (REPLICA_TIMEOUT_MS), with nobody cleaning up.
    await one.kill();
    onOne.close();
    const afterDeath = await eventually(
      async () => {
        const result = await attempt(two.url, address);
        return result.ok ? result : undefined;
      },
      "the dead replica's connection to stop counting",
      10_000,
    );
    afterDeath.close();
    replacement.close();
    for (const client of onTwo) client.close();
  }, 60_000);
});
