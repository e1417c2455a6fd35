import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { eventually, repoRoot, sleep } from '../../../test/support/ports.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrometheusText, sampleValue } from '../../../test/support/prometheus.js';

const RATE = 20;

describe('per-socket event rate limit and /metrics', () => {
  let app: INestApplication;
  let url: string;
  const clients: TestClient[] = [];

  const connect = async () => {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  };
  const flightPair = async () => {
    const host = await connect();
    const guest = await connect();
    const created = await host.request<{ flightCode: string }>('create-flight');
    if (!created.ok) throw new Error('create-flight failed');
    await guest.request('join-flight', { flightCode: created.data.flightCode });
    await host.next('peer-joined');
    return { host, guest };
  };
  const scrape = async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({
      RATE_LIMIT_EVENTS_PER_SECOND: String(RATE),
      RATE_LIMIT_BURST: String(RATE),
      RATE_LIMIT_MAX_DROPS: '60',
      INVITES_PER_MINUTE: '3',
    }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  it('drops events over the limit with rate_limited to the sender only, while others keep relaying', async () => {
    const flood = await flightPair();
    const calm = await flightPair();
    // The calm pair relays 10 messages at 10/s while the flooder sends 40 at once.
    const calmSending = (async () => {
      for (let i = 0; i < 10; i++) {
        calm.host.emit('signal', { data: { calm: i } });
        await sleep(100);
      }
    })();
    for (let i = 0; i < 40; i++) flood.host.emit('signal', { data: { flood: i } });
    const refused = await flood.host.request('signal', { data: { flood: 'acked' } });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Too many messages; slow down', event: 'signal' },
    });
    expect(await flood.host.next('error')).toMatchObject({ code: 'rate_limited', event: 'signal' });
    await calmSending;
    await eventually(() => calm.guest.count('signal') === 10, 'the calm pair to get all its messages');
    await sleep(200);
    // The burst (less the token create-flight took) went through, the rest was dropped; one error event, not one
    // per dropped message.
    const delivered = flood.guest.count('signal');
    expect(delivered).toBeGreaterThanOrEqual(RATE - 1);
    expect(delivered).toBeLessThan(RATE + 5);
    expect(flood.host.count('error')).toBe(0); // the one above was all
    expect(calm.host.count('error')).toBe(0);
    expect(flood.guest.count('error')).toBe(0);

    // After a pause the bucket has refilled: the same socket relays again.
    await sleep(1_000);
    flood.host.emit('signal', { data: { after: true } });
    expect(
      await flood.guest.next('signal', (payload: { data?: { after?: boolean } }) => !!payload.data?.after),
    ).toEqual({
      from: flood.host.id,
      data: { after: true },
      seq: expect.any(Number),
    });
  });

  it('disconnects a socket that keeps flooding, and counts it', async () => {
    const abuser = await connect();
    const bystander = await connect();
    const gone = new Promise<string>((resolve) => abuser.socket.on('disconnect', (reason: string) => resolve(reason)));
    for (let i = 0; i < 200; i++) abuser.emit('ping-unknown', { i });
    expect(await gone).toBe('io server disconnect');
    expect(bystander.socket.connected).toBe(true);
    expect((await bystander.request('create-flight')).ok).toBe(true);
    const samples = await scrape();
    expect(sampleValue(samples, 'rendezvous_rate_limited_events_total', { outcome: 'disconnected' })).toBe(1);
    expect(sampleValue(samples, 'rendezvous_rate_limited_events_total', { outcome: 'dropped' })).toBeGreaterThan(40);
  });

  it('serves Prometheus text: sockets, cluster objects, relayed messages and their latency, refused handshakes', async () => {
    const { host, guest } = await flightPair();
    for (let i = 0; i < 5; i++) host.emit('signal', { data: { i } });
    await eventually(() => guest.count('signal') === 5, 'five signals');
    const refused = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(refused.status).toBe(403);

    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(await response.text());
    expect(sampleValue(samples, 'rendezvous_sockets')).toBe(2);
    expect(sampleValue(samples, 'rendezvous_flights')).toBe(1);
    expect(sampleValue(samples, 'rendezvous_cluster_objects', { kind: 'sessions' })).toBe(2);
    expect(sampleValue(samples, 'rendezvous_cluster_objects', { kind: 'flights' })).toBe(1);
    expect(sampleValue(samples, 'rendezvous_relayed_messages_total', { event: 'signal' })).toBeGreaterThanOrEqual(5);
    expect(sampleValue(samples, 'rendezvous_relay_duration_seconds_count', { event: 'signal' })).toBeGreaterThanOrEqual(
      5,
    );
    expect(sampleValue(samples, 'rendezvous_relay_duration_seconds_bucket', { event: 'signal', le: '+Inf' })).toBe(
      sampleValue(samples, 'rendezvous_relay_duration_seconds_count', { event: 'signal' }),
    );
    expect(sampleValue(samples, 'rendezvous_rejected_connections_total', { reason: 'origin_forbidden' })).toBe(1);
    expect(sampleValue(samples, 'rendezvous_redis_errors_total')).toBe(0);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it("answers GET /api/status in DropSilk's shape, with this replica's totals since it started", async () => {
    const before = (await (await fetch(`${url}/api/status`)).json()) as { stats: Record<string, number> };
    const { host, guest } = await flightPair();
    guest.close();
    await eventually(async () => {
      const status = (await (await fetch(`${url}/api/status`)).json()) as { stats: Record<string, number> };
      return status.stats.totalDisconnections === before.stats.totalDisconnections! + 1;
    }, 'the disconnection to be counted');
    const response = await fetch(`${url}/api/status`);
    expect(response.status).toBe(200);
    const status = (await response.json()) as Record<string, any>;
    expect(Object.keys(status).sort()).toEqual(
      ['memory', 'replica', 'services', 'stats', 'status', 'timestamp', 'uptime', 'uptimeFormatted', 'version'].sort(),
    );
    expect(status).toMatchObject({
      status: 'operational',
      version: (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version,
      services: {
        websocket: { status: 'operational', activeConnections: 1 },
        signaling: { status: 'operational', activeFlights: expect.any(Number) },
        turn: { status: 'not_configured' },
      },
      stats: {
        totalConnections: before.stats.totalConnections! + 2,
        totalDisconnections: before.stats.totalDisconnections! + 1,
        totalFlightsCreated: before.stats.totalFlightsCreated! + 1,
        totalFlightsJoined: before.stats.totalFlightsJoined! + 1,
      },
    });
    expect(status.uptimeFormatted).toMatch(/^(\d+[dhm] )*\d+s$/);
    expect(status.memory.heapUsedMB).toBeGreaterThan(0);
    expect(new Date(status.timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    host.close();
  });

  it('lets a socket send INVITES_PER_MINUTE invitations, then refuses more to it alone', async () => {
    const { host } = await flightPair();
    expect((await host.request('leave-flight')).ok).toBe(true);
    const flight = await host.request<{ flightCode: string }>('create-flight');
    if (!flight.ok) throw new Error('create-flight failed');
    const invitee = await connect();
    const otherSender = await connect();
    const otherFlight = await otherSender.request<{ flightCode: string }>('create-flight');
    if (!otherFlight.ok) throw new Error('create-flight failed');
    for (let i = 0; i < 3; i++) {
      expect(
        await host.request('invite-to-flight', { inviteeId: invitee.id, flightCode: flight.data.flightCode }),
      ).toMatchObject({
        ok: true,
      });
    }
    expect(
      await host.request('invite-to-flight', { inviteeId: invitee.id, flightCode: flight.data.flightCode }),
    ).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Too many invitations; at most 3 a minute', event: 'invite-to-flight' },
    });
    await eventually(() => invitee.count('flight-invitation') === 3, 'three invitations');
    // Another sender is not affected.
    expect(
      await otherSender.request('invite-to-flight', { inviteeId: invitee.id, flightCode: otherFlight.data.flightCode }),
    ).toMatchObject({ ok: true });
  });
});
