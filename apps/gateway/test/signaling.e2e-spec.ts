import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;

describe('gateway e2e (standalone, @nestjs/testing)', () => {
  let app: INestApplication;
  let url: string;
  const clients: Client[] = [];

  /** Clients claim an address through X-Forwarded-For, which the gateway trusts from loopback in this suite. */
  const connect = async (address = '192.168.50.1') => {
    const client = await TestClient.connect(url, { headers: { 'x-forwarded-for': address } });
    clients.push(client);
    return client;
  };

  const pair = async (network = '10.9.9') => {
    const host = await connect(`${network}.1`);
    const guest = await connect(`${network}.2`);
    const created = await host.request<{ flightCode: string }>('create-flight');
    if (!created.ok) throw new Error('create-flight failed');
    const code = created.data.flightCode;
    await guest.request('join-flight', { flightCode: code });
    await host.next('peer-joined');
    await guest.next('peer-joined');
    return { host, guest, code };
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ TRUSTED_PROXIES: '127.0.0.1', MAX_PAYLOAD_BYTES: '4096' }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  describe('HTTP', () => {
    it('answers the DropSilk endpoints and health checks', async () => {
      const root = await fetch(`${url}/`);
      expect(await root.text()).toBe('Server is alive and waiting for WebSocket connections.');
      expect(await (await fetch(`${url}/keep-alive`)).text()).toBe('OK');
      expect(await (await fetch(`${url}/health/live`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', mode: 'standalone' });
    });

    it('counts connections and flights in /stats', async () => {
      await pair('10.20.30');
      const stats = (await (await fetch(`${url}/stats`)).json()) as Record<string, any>;
      expect(stats).toMatchObject({ activeConnections: 2, activeFlights: 1, mode: 'standalone' });
      expect(stats.replica).toMatchObject({ activeConnections: 2, activeFlights: 1 });
      expect(stats.memory.heapUsed).toBeGreaterThan(0);
      expect(typeof stats.uptime).toBe('number');
      expect(Date.parse(stats.timestamp)).not.toBeNaN();
    });
  });

  describe('sessions and presence', () => {
    it('greets a client with registered, rtc-config and its network list', async () => {
      const client = await connect('192.168.77.5');
      expect(client.id).toMatch(/^[0-9a-z]{10}$/);
      expect(client.name).toMatch(/^\w+ \w+$/);
      expect(await client.next('rtc-config')).toEqual({ iceServers: [] });
      expect(await client.usersUpdate(() => true)).toEqual([]);
      const order = client.received.map((r) => r.event);
      expect(order).toEqual([]);
    });

    it('shows users of the same network to each other, not to other networks', async () => {
      const a = await connect('192.168.60.10');
      await a.usersUpdate((users) => users.length === 0);
      const b = await connect('192.168.60.11');
      const other = await connect('192.168.61.10');
      expect(await a.usersUpdate((users) => users.length === 1)).toEqual([{ id: b.id, name: b.name }]);
      expect(await b.usersUpdate((users) => users.length === 1)).toEqual([{ id: a.id, name: a.name }]);
      expect(await other.usersUpdate(() => true)).toEqual([]);

      const renamed = await b.request('register-details', { name: '  Bob  ' });
      expect(renamed).toEqual({ ok: true, data: { id: b.id, name: 'Bob' } });
      expect(await a.usersUpdate((users) => users[0]?.name === 'Bob')).toEqual([{ id: b.id, name: 'Bob' }]);

      b.close();
      expect(await a.usersUpdate((users) => users.length === 0)).toEqual([]);
      expect(other.received.filter((r) => r.event === 'users-on-network-update')).toEqual([]);
    });

    it('hides members of a full flight and sends them an empty list', async () => {
      const watcher = await connect('192.168.62.9');
      expect(await watcher.usersUpdate(() => true)).toEqual([]);
      const { host, guest } = await pair('192.168.62');
      expect(await host.usersUpdate((users) => users.length === 0)).toEqual([]);
      expect(await guest.usersUpdate((users) => users.length === 0)).toEqual([]);
      // Updates close together are coalesced; what counts is the last one the watcher holds.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const updates = watcher.received.filter((r) => r.event === 'users-on-network-update');
      expect(updates.at(-1)?.payload).toEqual({ users: [] });
      watcher.forget('users-on-network-update');
      guest.close();
      expect(await watcher.usersUpdate((users) => users.some((u) => u.id === host.id))).toEqual([
        { id: host.id, name: host.name },
      ]);
    });
  });

  describe('flights', () => {
    it('runs a whole flight: create, join by code, signal both ways, leave, disconnect', async () => {
      const host = await connect('192.168.70.1');
      const guest = await connect('192.168.70.2');
      const created = await host.request<{ flightCode: string }>('create-flight');
      expect(created.ok).toBe(true);
      const code = created.ok ? created.data.flightCode : '';
      expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
      expect(await host.next('flight-created')).toEqual({ flightCode: code });

      const joined = await guest.request('join-flight', { flightCode: ` ${code.toLowerCase()} ` });
      expect(joined).toEqual({
        ok: true,
        data: { flightCode: code, peer: { id: host.id, name: host.name }, connectionType: 'lan' },
      });
      expect(await guest.next('peer-joined')).toEqual({
        flightCode: code,
        peer: { id: host.id, name: host.name },
        connectionType: 'lan',
      });
      expect(await host.next('peer-joined')).toEqual({
        flightCode: code,
        peer: { id: guest.id, name: guest.name },
        connectionType: 'lan',
      });

      const offer = { sdp: { type: 'offer', sdp: 'v=0\r\n' } };
      host.emit('signal', { data: offer });
      expect(await guest.next('signal')).toEqual({ from: host.id, data: offer, seq: expect.any(Number) });
      guest.emit('signal', { data: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host' }, from: 'forged' });
      expect(await host.next('signal')).toEqual({
        from: guest.id,
        data: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host' },
        seq: 1,
      });
      expect(host.count('signal')).toBe(0);

      expect(await guest.request('leave-flight')).toEqual({ ok: true, data: { left: code } });
      expect(await host.next('peer-left')).toEqual({ flightCode: code, peerId: guest.id });

      const third = await connect('8.8.8.8');
      await third.request('join-flight', { flightCode: code });
      expect((await third.next<{ connectionType: string }>('peer-joined')).connectionType).toBe('wan');
      third.close();
      expect(await host.next('peer-left')).toEqual({ flightCode: code, peerId: third.id });
    });

    it('forwards invitations from a flight member to the invitee', async () => {
      const host = await connect('192.168.71.1');
      const friend = await connect('192.168.71.2');
      const created = await host.request<{ flightCode: string }>('create-flight');
      const code = created.ok ? created.data.flightCode : '';
      expect(await host.request('invite-to-flight', { inviteeId: friend.id, flightCode: code })).toEqual({
        ok: true,
        data: { invited: friend.id },
      });
      expect(await friend.next('flight-invitation')).toEqual({
        flightCode: code,
        fromId: host.id,
        fromName: host.name,
      });
    });

    it.each([
      ['create-flight twice', 'already_in_flight', 'Already in a flight'],
      ['join while in a flight', 'already_in_flight', 'Already in a flight'],
      ['join an unknown code', 'flight_not_found', 'Flight not found or full'],
      ['join a full flight', 'flight_not_found', 'Flight not found or full'],
      ['invite to a flight one is not in', 'not_flight_member', 'Only a member of the flight can invite to it'],
      ['invite an unknown session', 'invitee_not_found', 'Invitee not found'],
      ['signal outside a flight', 'not_in_flight', 'Not in a flight'],
    ])('%s -> error %s', async (scenario, code, message) => {
      const { host, code: flightCode } = await pair('10.40.40');
      const outsider = await connect('10.40.41.1');
      const attempts: Record<string, [Client, string, unknown]> = {
        'create-flight twice': [host, 'create-flight', undefined],
        'join while in a flight': [host, 'join-flight', { flightCode }],
        'join an unknown code': [outsider, 'join-flight', { flightCode: 'ZZZZZZ' }],
        'join a full flight': [outsider, 'join-flight', { flightCode }],
        'invite to a flight one is not in': [outsider, 'invite-to-flight', { inviteeId: host.id, flightCode }],
        'invite an unknown session': [host, 'invite-to-flight', { inviteeId: 'zzzzzzzzzz', flightCode }],
        'signal outside a flight': [outsider, 'signal', { data: { sdp: 'x' } }],
      };
      const [client, event, payload] = attempts[scenario] as [Client, string, unknown];
      const error = { code, message, event };
      expect(await client.request(event, payload)).toEqual({ ok: false, error });
      expect(await client.next('error')).toEqual(error);
    });
  });

  describe('input validation', () => {
    const badPayloads: Record<string, unknown[]> = {
      'register-details': [
        undefined,
        null,
        'name',
        42,
        [],
        {},
        { name: '' },
        { name: '   ' },
        { name: 'x'.repeat(51) },
        { name: 7 },
      ],
      'create-flight': ['string', 42, true, [1]],
      'join-flight': [
        undefined,
        'ABCDEF',
        {},
        { flightCode: 'ABC' },
        { flightCode: 'ABCDEFG' },
        { flightCode: 'ABCDE0' },
        { flightCode: 123456 },
      ],
      'invite-to-flight': [
        undefined,
        {},
        { inviteeId: 'x', flightCode: 'ABCDEF' },
        { inviteeId: 'abcdefghij' },
        { inviteeId: 5, flightCode: 'ABCDEF' },
      ],
      signal: [undefined, null, 'data', {}, { other: 1 }, [1, 2]],
      'leave-flight': ['x', 1],
      'attach-room': [
        undefined,
        {},
        { roomCode: 'ABCDEF' },
        { roomCode: 'ABC', participantId: 'p' },
        { roomCode: 'ABCDEF', participantId: '' },
        { roomCode: 'ABCDEF', participantId: 'p', channel: 'video' },
      ],
    };
    const cases = Object.entries(badPayloads).flatMap(([event, payloads]) =>
      payloads.map((payload) => [event, JSON.stringify(payload) ?? 'undefined', payload] as const),
    );

    it.each(cases)('%s with %s gets invalid_payload, and the ack carries it', async (event, _label, payload) => {
      const client = await connect('10.50.0.1');
      const answer = await client.request(event, payload ?? null);
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: 'Invalid message payload', event },
      });
      expect(await client.next('error')).toMatchObject({ code: 'invalid_payload', event });
      expect(client.socket.connected).toBe(true);
    });

    it('answers an unknown event with unknown_event', async () => {
      const client = await connect('10.50.0.2');
      const answer = await client.request('launch-missiles', { now: true });
      expect(answer).toEqual({
        ok: false,
        error: { code: 'unknown_event', message: 'Unknown message type', event: 'launch-missiles' },
      });
      client.emit('no-ack-event');
      expect(await client.next('error')).toMatchObject({ code: 'unknown_event' });
    });

    it('refuses a message over MAX_PAYLOAD_BYTES and keeps the connection', async () => {
      const { host, guest } = await pair('10.60.60');
      const answer = await host.request('signal', { data: 'x'.repeat(5_000) });
      expect(answer).toEqual({
        ok: false,
        error: { code: 'payload_too_large', message: 'Message too large', event: 'rv:payload-too-large' },
      });
      expect(await host.next('error')).toMatchObject({ code: 'payload_too_large' });
      host.emit('signal', { data: 'small' });
      expect(await guest.next('signal')).toEqual({ from: host.id, data: 'small', seq: expect.any(Number) });
      expect(guest.count('signal')).toBe(0);
    });

    it('cuts a far larger frame at the transport without affecting anyone else', async () => {
      const { host, guest } = await pair('10.61.61');
      const abuser = await connect('10.62.0.1');
      const closed = new Promise<string>((resolve) => abuser.socket.on('disconnect', (reason) => resolve(reason)));
      abuser.emit('signal', { data: 'x'.repeat(64 * 1024) });
      expect(await closed).toBe('transport close');
      host.emit('signal', { data: 'still here' });
      expect(await guest.next('signal')).toEqual({ from: host.id, data: 'still here', seq: expect.any(Number) });
    });
  });
});
