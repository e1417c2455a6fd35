import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';

// DropSilk's own protocol as its frontend speaks it (../shared/reference/SEED-CLIENTS.md §1, PEERS.md): JSON text
// frames `{type, ...}` on a plain WebSocket at `/`, on the same port as Socket.IO.
describe('DropSilk over a plain WebSocket', () => {
  let app: INestApplication;
  let url: string;
  const open: { close(): void }[] = [];

  const dropSilk = async (address: string, path = '/') => {
    const client = await PlainWsClient.open(`${url}${path}`, { 'x-forwarded-for': address });
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ TRUSTED_PROXIES: '127.0.0.1', MAX_PAYLOAD_BYTES: '4096' }));
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  it('registers on connect, lists the network, and flies: create, join, signal both ways, peer-left', async () => {
    const host = await dropSilk('192.168.40.1');
    const registered = await host.next('registered');
    expect(Object.keys(registered).sort()).toEqual(['id', 'type']);
    expect(registered.id).toMatch(/^[0-9a-z]{10}$/);
    host.send({ type: 'register-details', name: 'Hosting Hal', localIpPrefix: 'unknown', localIp: 'unknown' });

    const guest = await dropSilk('192.168.40.2');
    const guestId = (await guest.next('registered')).id;
    expect(
      await host.next('users-on-network-update', (frame) => JSON.stringify(frame).includes(String(guestId))),
    ).toEqual({
      type: 'users-on-network-update',
      users: [{ id: guestId, name: expect.any(String) }],
    });

    host.send({ type: 'create-flight' });
    const { flightCode } = await host.next('flight-created');
    expect(flightCode).toMatch(/^[A-Z0-9]{6}$/);
    guest.send({ type: 'join-flight', flightCode: String(flightCode).toLowerCase() });
    expect(await guest.next('peer-joined')).toEqual({
      type: 'peer-joined',
      flightCode,
      peer: { id: registered.id, name: 'Hosting Hal' },
      connectionType: 'lan',
    });
    expect(await host.next('peer-joined')).toMatchObject({ flightCode, peer: { id: guestId } });

    host.send({ type: 'signal', data: { sdp: 'offer-sdp' } });
    expect(await guest.next('signal')).toEqual({ type: 'signal', data: { sdp: 'offer-sdp' } });
    guest.send({ type: 'signal', data: { candidate: 'c1' } });
    expect(await host.next('signal')).toEqual({ type: 'signal', data: { candidate: 'c1' } });

    guest.close();
    expect(await host.next('peer-left')).toEqual({ type: 'peer-left' });
  });

  it("answers bad frames with DropSilk's error texts and stays connected", async () => {
    const client = await dropSilk('192.168.41.1');
    await client.next('registered');
    const errorAfter = async (frame: unknown) => {
      client.send(frame);
      return (await client.next('error')).message;
    };
    expect(await errorAfter('not json')).toBe('Invalid message format');
    expect(await errorAfter('[1,2]')).toBe('Invalid message format');
    expect(await errorAfter({ type: 'teleport' })).toBe('Unknown message type');
    expect(await errorAfter({ name: 'no type' })).toBe('Unknown message type');
    expect(await errorAfter({ type: 'join-flight', flightCode: 12 })).toBe('Invalid message payload');
    expect(await errorAfter({ type: 'join-flight', flightCode: 'ZZZZZZ' })).toBe('Flight not found or full');
    expect(await errorAfter({ type: 'attach-room', roomCode: 'ABCDEF', participantId: 'nobody' })).toBe(
      'Room not found or expired',
    );
    expect(await errorAfter({ type: 'signal', data: 'x'.repeat(5_000) })).toBe('Message too large');
    let deep: unknown = 'bottom';
    for (let level = 0; level < 70; level++) deep = [deep];
    expect(await errorAfter({ type: 'signal', data: deep })).toMatch(/nested too deeply/);
    // A signal outside a flight is dropped without a word, as DropSilk's backend does.
    client.send({ type: 'signal', data: { sdp: 'nobody to hear' } });
    client.send({ type: 'create-flight' });
    await client.next('flight-created');
    expect(client.count('error')).toBe(0);
    client.send({ type: 'create-flight' });
    expect((await client.next('error')).message).toBe('Already in a flight');
  });

  it('accepts any path, as DropSilk’s backend does, and counts its clients by protocol', async () => {
    const client = await dropSilk('192.168.42.1', '/some/path?x=1');
    expect(await client.next('registered')).toMatchObject({ id: expect.any(String) });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^rendezvous_clients\{protocol="dropsilk"\} [1-9]/m);
    expect(metrics).toMatch(/^rendezvous_clients\{protocol="camus"\} 0$/m);
  });

  it('pairs a DropSilk socket and a Socket.IO client in one flight', async () => {
    const host = await dropSilk('192.168.43.1');
    const hostId = (await host.next('registered')).id;
    host.send({ type: 'create-flight' });
    const { flightCode } = await host.next('flight-created');
    const guest = await TestClient.connect(url, { headers: { 'x-forwarded-for': '192.168.43.2' } });
    open.push(guest);
    expect(await guest.request('join-flight', { flightCode })).toMatchObject({
      ok: true,
      data: { peer: { id: hostId } },
    });
    expect(await host.next('peer-joined')).toMatchObject({ peer: { id: guest.id }, connectionType: 'lan' });
    guest.emit('signal', { data: { sdp: 'answer' } });
    expect(await host.next('signal')).toEqual({ type: 'signal', data: { sdp: 'answer' } });
    host.send({ type: 'signal', data: { sdp: 'offer' } });
    expect(await guest.next('signal')).toEqual({ from: hostId, data: { sdp: 'offer' }, seq: 1 });
  });

  it('attaches to a transfer room as DropSilk’s frontend does, beside a Socket.IO guest', async () => {
    const { code, hostId, guestId } = await pairedTransferRoom(url, { host: 'Hal', guest: 'Gina' });
    const host = await dropSilk('192.168.44.1');
    await host.next('registered');
    host.send({ type: 'attach-room', roomCode: code, participantId: hostId });
    expect(await host.next('room-attached')).toMatchObject({ flightCode: code, role: 'host' });
    const guest = await TestClient.connect(url, { headers: { 'x-forwarded-for': '192.168.44.2' } });
    open.push(guest);
    await guest.request('attach-room', { roomCode: code, participantId: guestId });
    expect(await host.next('peer-joined')).toMatchObject({ flightCode: code, peer: { id: guest.id, name: 'Gina' } });
    host.send({ type: 'signal', data: { sdp: 'host offer' } });
    expect(await guest.next('signal')).toMatchObject({ data: { sdp: 'host offer' } });
  });
});
