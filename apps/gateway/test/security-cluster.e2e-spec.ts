import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { sleep } from '../../../test/support/ports.js';
import { RedisServer } from '../../../test/support/redis-server.js';
import { Replica } from '../../../test/support/replica.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;
type Refusal = { ok: false; error: { code: string; retryAfterMs?: number } };

const LOCKOUT_SECONDS = 2;
const SECURITY_ENV = {
  TRUSTED_PROXIES: '127.0.0.1',
  REPLICA_HEARTBEAT_MS: '250',
  REPLICA_TIMEOUT_MS: '1500',
  FAILED_JOINS_PER_MINUTE: '5',
  JOIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
  JOIN_LOCKOUT_MAX_SECONDS: '60',
  ROOMS_CREATED_PER_HOUR: '3',
  TURN_CREDENTIALS_PER_MINUTE: '3',
  INVITES_PER_MINUTE_PER_IP: '3',
  INVITES_RECEIVED_PER_MINUTE: '2',
  HTTP_REQUESTS_PER_MINUTE: '40',
};

/**
 * The limits that must hold for the whole cluster, not per replica: every attacker here spreads its attempts
 * over both replicas, and still meets one counter in Redis.
 */
describe('security e2e: cluster-wide limits on two replicas + redis-server', () => {
  let redis: RedisServer;
  let replicas: Replica[];
  const clients: Client[] = [];

  const connect = async (replica: Replica, address: string) => {
    const client = await TestClient.connect(replica.url, { headers: { 'x-forwarded-for': address } });
    clients.push(client);
    return client;
  };
  const on = (i: number) => replicas[i % 2] as Replica;
  const http = (i: number, path: string, address: string, init: RequestInit = {}) =>
    fetch(`${on(i).url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...(init.headers ?? {}) },
    });
  const post = (i: number, path: string, address: string, body: unknown) =>
    http(i, path, address, { method: 'POST', body: JSON.stringify(body) });
  const liveFlight = async (address: string) => {
    const host = await connect(on(0), address);
    const created = await host.request<{ flightCode: string }>('create-flight');
    if (!created.ok) throw new Error('create-flight failed');
    return { host, code: created.data.flightCode };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { ...SECURITY_ENV, REDIS_URL: redis.url };
    replicas = await Promise.all([Replica.start('secure-1', env), Replica.start('secure-2', env)]);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((replica) => replica.stop()));
    await redis?.stop();
  });

  it('locks an address out of join-flight after FAILED_JOINS_PER_MINUTE misses on any replica, with backoff', async () => {
    const { code } = await liveFlight('198.51.100.1');
    const guessers = [await connect(on(0), '203.0.113.9'), await connect(on(1), '203.0.113.9')];
    for (let i = 0; i < 5; i++) {
      const miss = await (guessers[i % 2] as Client).request('join-flight', { flightCode: `ZZZZZ${i + 2}` });
      expect(miss).toMatchObject({ ok: false, error: { code: 'flight_not_found' } });
    }
    // Even the live code is refused now, on either replica, and says when to come back.
    for (const guesser of guessers) {
      const refused = (await guesser.request('join-flight', { flightCode: code })) as Refusal;
      expect(refused).toMatchObject({ ok: false, error: { code: 'too_many_attempts' } });
      expect(refused.error.retryAfterMs).toBeGreaterThan(0);
      expect(refused.error.retryAfterMs).toBeLessThanOrEqual(LOCKOUT_SECONDS * 1000);
    }
    // Another address is not affected.
    const honest = await connect(on(1), '192.0.2.77');
    expect(await honest.request('join-flight', { flightCode: code })).toMatchObject({ ok: true });

    // After the lockout the address may try again; the next lockout lasts twice as long.
    await sleep(LOCKOUT_SECONDS * 1000 + 200);
    for (let i = 0; i < 5; i++) await (guessers[i % 2] as Client).request('join-flight', { flightCode: 'ZZZZZ9' });
    const again = (await (guessers[0] as Client).request('join-flight', { flightCode: code })) as Refusal;
    expect(again.error.code).toBe('too_many_attempts');
    expect(again.error.retryAfterMs).toBeGreaterThan(LOCKOUT_SECONDS * 1000);
  });

  it('does not count a full flight as a guess: losing races never locks an address out', async () => {
    const late = await connect(on(1), '203.0.113.15');
    for (let i = 0; i < 7; i++) {
      const { code } = await liveFlight(`198.51.100.${20 + i}`);
      await (await connect(on(0), `192.0.2.${20 + i}`)).request('join-flight', { flightCode: code });
      expect(await late.request('join-flight', { flightCode: code })).toMatchObject({
        ok: false,
        error: { code: 'flight_not_found' },
      });
    }
    const { code } = await liveFlight('198.51.100.30');
    expect(await late.request('join-flight', { flightCode: code })).toMatchObject({ ok: true });
  });

  it('locks an address out of room-code guessing over HTTP (429 with Retry-After), across replicas', async () => {
    const address = '203.0.113.20';
    const { code } = await pairedTransferRoom(replicas[0]!.url);
    for (let i = 0; i < 5; i++) {
      const miss = await post(i, `/api/rooms/ZZZZZ${i + 2}/join`, address, { name: 'Guesser' });
      expect(miss.status).toBe(400);
    }
    for (let i = 0; i < 2; i++) {
      const refused = await post(i, `/api/rooms/${code}/join`, address, { name: 'Guesser' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ error: expect.stringMatching(/Too many failed attempts/) });
    }
    // Participant-id guesses count the same way (a poll with a wrong id is a miss).
    const other = '203.0.113.21';
    for (let i = 0; i < 5; i++) {
      expect((await http(i, `/api/rooms/${code}?participantId=guess${i}`, other)).status).toBe(404);
    }
    expect((await http(0, `/api/rooms/${code}?participantId=guess9`, other)).status).toBe(429);
  });

  it('limits room creation per address across replicas, over HTTP and join-room alike', async () => {
    const address = '203.0.113.30';
    for (let i = 0; i < 3; i++) expect((await post(i, '/api/rooms', address, { name: 'Host' })).status).toBe(201);
    const refused = await post(1, '/api/rooms', address, { name: 'Host' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
    const client = await connect(on(0), address);
    expect(await client.request('join-room', { roomId: 'spam-room', isPublic: true })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    const list = (await (await http(1, '/api/rooms/public', '192.0.2.5')).json()) as { rooms: { id: string }[] };
    expect(list.rooms.map((room) => room.id)).not.toContain('spam-room');
    // Joining an existing room creates nothing and is not limited.
    const owner = await connect(on(1), '192.0.2.6');
    await owner.request('join-room', { roomId: 'existing-room' });
    expect(await client.request('join-room', { roomId: 'existing-room' })).toMatchObject({ ok: true });
  });

  it('limits HTTP API requests per address across replicas (429 with Retry-After), and only that address', async () => {
    const address = '203.0.113.45';
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => http(i, '/api/status', address).then((r) => r.status)),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const refused = await http(1, '/api/status', address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await http(0, '/api/status', '192.0.2.45')).status).toBe(200);
    // Health and metrics are not the API: probes are never limited.
    expect((await http(0, '/health/live', address)).status).toBe(200);
  });

  it('limits TURN credential requests per address across replicas', async () => {
    const address = '203.0.113.40';
    for (let i = 0; i < 3; i++) expect((await http(i, '/api/turn-credentials', address)).status).toBe(501);
    const refused = await http(0, '/api/turn-credentials', address);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('limits invitations per sending address and per invitee, cluster-wide', async () => {
    const victim = await connect(on(1), '192.0.2.50');
    const senders = await Promise.all([0, 1, 2, 3].map((i) => connect(on(i), '203.0.113.50')));
    const codes: string[] = [];
    for (const sender of senders) {
      const created = await sender.request<{ flightCode: string }>('create-flight');
      codes.push(created.ok ? created.data.flightCode : '');
    }
    const invite = (i: number, inviteeId: string) =>
      (senders[i] as Client).request('invite-to-flight', { inviteeId, flightCode: codes[i] });
    // Per invitee: two a minute, whoever sends them.
    expect(await invite(0, victim.id)).toMatchObject({ ok: true });
    expect(await invite(1, victim.id)).toMatchObject({ ok: true });
    expect(await invite(2, victim.id)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // Per sending address: three a minute over all its sockets (the refused one above counted).
    const other = await connect(on(0), '192.0.2.51');
    expect(await invite(3, other.id)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    await sleep(200);
    expect(victim.count('flight-invitation')).toBe(2);
  });

  it('answers a deeply nested signal with payload_too_deep across replicas, and the relay goes on', async () => {
    const { host, code } = await liveFlight('198.51.100.60');
    const guest = await connect(on(1), '198.51.100.61');
    await guest.request('join-flight', { flightCode: code });
    await host.next('peer-joined');
    // socket.io-client's encoder recurses too: the Socket.IO packet (an event with ack id 7) is written by hand.
    const frame = `27["signal",{"data":${'['.repeat(6_000)}"x"${']'.repeat(6_000)}}]`;
    (host.socket.io.engine as unknown as { write(data: string): void }).write(frame);
    expect(await host.next('error')).toMatchObject({ code: 'payload_too_deep', event: 'rv:payload-too-deep' });
    host.emit('signal', { data: { sdp: 'after' } });
    expect(await guest.next('signal')).toEqual({ from: host.id, data: { sdp: 'after' }, seq: expect.any(Number) });
    expect(guest.count('signal')).toBe(0);
    for (const replica of replicas) expect(replica.process.output).not.toMatch(/Unhandled rejection|RangeError/);
  });

  it('tells a transfer socket on one replica that its slot was attached from the other', async () => {
    const { code, hostId, guestId } = await pairedTransferRoom(replicas[0]!.url);
    const host = await connect(on(0), '198.51.100.70');
    const guest = await connect(on(1), '198.51.100.71');
    await host.request('attach-room', { roomCode: code, participantId: hostId });
    await guest.request('attach-room', { roomCode: code, participantId: guestId });
    await host.next('peer-joined');
    const hostAgain = await connect(on(1), '198.51.100.70');
    await hostAgain.request('attach-room', { roomCode: code, participantId: hostId });
    expect(await host.next('room-detached')).toEqual({
      roomCode: code,
      channel: 'transfer',
      reason: 'attached-elsewhere',
    });
    expect(await host.request('signal', { data: 'stale' })).toMatchObject({
      ok: false,
      error: { code: 'not_in_flight' },
    });
  });
});
