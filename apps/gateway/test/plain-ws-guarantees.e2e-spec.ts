import type { INestApplication } from '@nestjs/common';
import { Drain } from '@rendezvous/sessions';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';

// The guarantees of the Socket.IO binding hold on the plain WebSocket too: origins, tokens, connection and rate
// limits, heartbeats and the drain.
describe('the plain-WebSocket protocols: limits, heartbeats, drain', () => {
  const apps: INestApplication[] = [];
  const open: PlainWsClient[] = [];
  const start = async (env: Record<string, string>) => {
    const started = await startGatewayApp({ TRUSTED_PROXIES: '127.0.0.1', ...env });
    apps.push(started.app);
    return started;
  };
  const connect = async (url: string, headers: Record<string, string> = {}) => {
    const client = await PlainWsClient.open(url, headers);
    open.push(client);
    return client;
  };
  const refusal = (url: string, headers: Record<string, string> = {}) =>
    PlainWsClient.open(url, headers).then(
      (client) => (open.push(client), 101),
      (error: { status?: number }) => error.status,
    );

  afterEach(async () => {
    for (const client of open.splice(0)) client.close();
    for (const app of apps.splice(0)) await app.close();
  });

  it('refuses foreign origins with 403, and in production a missing one; lets the loopback in during development', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://app.example' });
    expect(await refusal(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await refusal(url, { origin: 'https://app.example' })).toBe(101);
    const production = await start({ NODE_ENV: 'production', ALLOWED_ORIGINS: 'https://app.example' });
    expect(await refusal(production.url)).toBe(403);
    // No origin configured, development: a frontend on another local port works with no setting.
    const development = await start({});
    expect(await refusal(development.url, { origin: 'http://127.0.0.1:4173' })).toBe(101);
    expect(await refusal(development.url, { origin: 'https://evil.example' })).toBe(403);
    // ...and its HTTP calls too: DropSilk's room creation needs an answered preflight.
    const preflight = await fetch(`${development.url}/api/rooms`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:4173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4173');
  });

  it('takes the token of AUTH_MODE=jwt from the `token` query parameter', async () => {
    const { url } = await start({ AUTH_MODE: 'jwt', JWT_SECRET: SECRET });
    expect(await refusal(url)).toBe(401);
    expect(await refusal(`${url}/?token=forged`)).toBe(401);
    const token = await new SignJWT({ name: 'Token Tess' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-7')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    const client = await connect(`${url}/?token=${token}`);
    await client.next('registered');
    client.send({ type: 'register-details', name: 'Mallory' });
    client.send({ type: 'create-flight' });
    const other = await connect(`${url}/?token=${token}`);
    await other.next('registered');
    other.send({ type: 'join-flight', flightCode: (await client.next('flight-created')).flightCode });
    expect(await other.next('peer-joined')).toMatchObject({ peer: { name: 'Token Tess' } });
  });

  it('holds MAX_CONNECTIONS_PER_IP across both protocols and gives the slot back on close', async () => {
    const { url } = await start({ MAX_CONNECTIONS_PER_IP: '2' });
    const headers = { 'x-forwarded-for': '198.51.100.7' };
    const first = await connect(url, headers);
    const socketIo = await TestClient.connect(url, { headers });
    expect(await refusal(url, headers)).toBe(429);
    first.close();
    await first.closed;
    await expect.poll(() => refusal(url, headers)).toBe(101);
    expect(await refusal(url, headers)).toBe(429);
    socketIo.close();
  });

  it('closes a socket whose frame is far over MAX_PAYLOAD_BYTES (1009), and serves the others on', async () => {
    const { url } = await start({ MAX_PAYLOAD_BYTES: '1024' });
    const bystander = await connect(url);
    await bystander.next('registered');
    const flooder = await connect(url);
    await flooder.next('registered');
    flooder.send({ type: 'signal', data: 'x'.repeat(10_000) });
    expect((await flooder.closed).code).toBe(1009);
    bystander.send({ type: 'create-flight' });
    expect(await bystander.next('flight-created')).toMatchObject({ flightCode: expect.any(String) });
  });

  it('drops events over the rate limit with an error, then disconnects a client that keeps flooding', async () => {
    const { url } = await start({
      RATE_LIMIT_EVENTS_PER_SECOND: '1',
      RATE_LIMIT_BURST: '3',
      RATE_LIMIT_MAX_DROPS: '10',
    });
    const client = await connect(url);
    await client.next('registered');
    for (let i = 0; i < 30; i++) client.send({ type: 'signal', data: i });
    expect((await client.next('error')).message).toBe('Too many messages; slow down');
    expect(await client.closed).toEqual({ code: 1008, reason: 'Rate limit exceeded' });
  });

  it('ends a client that stops answering pings, and tells its flight peer', async () => {
    const { url } = await start({ WS_HEALTH_CHECK_INTERVAL_MS: '1000', WS_PING_TIMEOUT_MS: '1000' });
    const host = await connect(url);
    await host.next('registered');
    host.send({ type: 'create-flight' });
    const { flightCode } = await host.next('flight-created');
    const guest = await connect(url);
    await guest.next('registered');
    guest.send({ type: 'join-flight', flightCode });
    await host.next('peer-joined');
    // The guest's machine goes silent: nothing it receives is read, so no ping is answered.
    const raw = (guest.ws as unknown as { _socket: { pause(): void; destroy(): void } })._socket;
    const silencedAt = Date.now();
    raw.pause();
    expect(await host.next('peer-left', () => true, 6_000)).toEqual({ type: 'peer-left' });
    expect(Date.now() - silencedAt).toBeGreaterThanOrEqual(1_000);
    raw.destroy();
  });

  it('drains: server-shutdown in DropSilk’s words, then close 1001 "Server shutdown"; newcomers are refused', async () => {
    const { app, url } = await start({ DRAIN_READINESS_DELAY_MS: '0' });
    const client = await connect(url);
    await client.next('registered');
    await app.get(Drain).run();
    expect(await client.next('server-shutdown')).toEqual({
      type: 'server-shutdown',
      message: 'Server is shutting down for maintenance.',
    });
    expect(await client.closed).toEqual({ code: 1001, reason: 'Server shutdown' });
    const late = await connect(url);
    expect(await late.next('server-shutdown')).toMatchObject({ message: 'Server is shutting down for maintenance.' });
    expect((await late.closed).code).toBe(1001);
  });

  it('drains Camus and seed-004 sockets too: they leave their rooms and close with 1001', async () => {
    const { app, url } = await start({ DRAIN_READINESS_DELAY_MS: '0' });
    const camus = await connect(`${url}/room/drained/ws`);
    camus.send({ receiver: 'ground control', type: 'ping', data: 0 });
    await camus.next('pong');
    const generic = await connect(`${url}/?roomId=drained&userId=gus&userName=Gus`);
    await generic.next('welcome');
    await app.get(Drain).run();
    expect(await camus.closed).toEqual({ code: 1001, reason: 'Server shutdown' });
    expect(await generic.closed).toEqual({ code: 1001, reason: 'Server shutdown' });
    const rooms = (await (await fetch(`${url}/rooms`)).json()) as { rooms: { roomId: string }[] };
    expect(rooms.rooms.find((room) => room.roomId === 'drained')).toBeUndefined();
    const late = await connect(`${url}/room/drained/ws`);
    expect((await late.closed).code).toBe(1001);
  });
});
