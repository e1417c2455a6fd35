import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';
import { publicParticipantId } from '@rendezvous/rooms';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;

describe('attach-room: DropSilk transfer rooms over Socket.IO', () => {
  let app: INestApplication;
  let url: string;
  const clients: Client[] = [];

  const connect = async (address: string) => {
    const client = await TestClient.connect(url, { headers: { 'x-forwarded-for': address } });
    clients.push(client);
    return client;
  };
  const room = () => pairedTransferRoom(url, { host: 'Hosting Hal', guest: 'Guest Gina' });

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ TRUSTED_PROXIES: '127.0.0.1' }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  it('pairs the transfer sockets of host and guest and relays their signals', async () => {
    const { code, hostId, guestId } = await room();
    const host = await connect('192.168.30.1');
    const guest = await connect('192.168.30.2');

    expect(await host.request('attach-room', { roomCode: code.toLowerCase(), participantId: hostId })).toMatchObject({
      ok: true,
      data: {
        flightCode: code,
        role: 'host',
        peer: { participantId: publicParticipantId(guestId), name: 'Guest Gina' },
      },
    });
    expect(await host.next('room-attached')).toMatchObject({ flightCode: code, role: 'host' });
    expect(host.count('peer-joined')).toBe(0);

    await guest.request('attach-room', { roomCode: code, participantId: guestId, channel: 'transfer' });
    expect(await guest.next('room-attached')).toMatchObject({
      role: 'guest',
      peer: { participantId: publicParticipantId(hostId) },
    });
    expect(await host.next('peer-joined')).toEqual({
      flightCode: code,
      peer: { id: guest.id, name: 'Guest Gina' },
      connectionType: 'lan',
    });
    expect(await guest.next('peer-joined')).toEqual({
      flightCode: code,
      peer: { id: host.id, name: 'Hosting Hal' },
      connectionType: 'lan',
    });

    host.emit('signal', { data: { sdp: 'offer' } });
    expect(await guest.next('signal')).toEqual({ from: host.id, data: { sdp: 'offer' }, seq: expect.any(Number) });
    guest.emit('signal', { data: { sdp: 'answer' } });
    expect(await host.next('signal')).toEqual({ from: guest.id, data: { sdp: 'answer' }, seq: expect.any(Number) });
    expect(await host.request('create-flight')).toMatchObject({ ok: false, error: { code: 'already_in_flight' } });
  });

  it('pairs screen-share sockets on their own channel and keeps them out of presence lists', async () => {
    const { code, hostId, guestId } = await room();
    const watcher = await connect('192.168.31.9');
    await watcher.usersUpdate(() => true);
    const hostShare = await connect('192.168.31.1');
    const guestShare = await connect('192.168.31.2');
    await hostShare.request('attach-room', { roomCode: code, participantId: hostId, channel: 'screen-share' });
    await guestShare.request('attach-room', { roomCode: code, participantId: guestId, channel: 'screen-share' });
    expect((await hostShare.next<{ peer: { id: string } }>('peer-joined')).peer.id).toBe(guestShare.id);
    hostShare.emit('signal', { data: 'frame offer' });
    expect(await guestShare.next('signal')).toEqual({
      from: hostShare.id,
      data: 'frame offer',
      seq: expect.any(Number),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const last = watcher.received.filter((r) => r.event === 'users-on-network-update').at(-1)?.payload as {
      users: { id: string }[];
    };
    expect(last.users.map((u) => u.id)).not.toContain(hostShare.id);
    expect(last.users.map((u) => u.id)).not.toContain(guestShare.id);
  });

  it('refuses an unknown room or participant with room_not_found', async () => {
    const { code } = await room();
    const client = await connect('10.99.0.1');
    const error = { code: 'room_not_found', message: 'Room not found or expired', event: 'attach-room' };
    expect(await client.request('attach-room', { roomCode: code, participantId: 'stranger' })).toEqual({
      ok: false,
      error,
    });
    expect(await client.request('attach-room', { roomCode: 'ZZZZZZ', participantId: 'x' })).toEqual({
      ok: false,
      error,
    });
  });

  it('promotes the guest when the host transfer socket closes, and tells the guest', async () => {
    const { code, hostId, guestId } = await room();
    const host = await connect('10.98.0.1');
    const guest = await connect('10.98.0.2');
    await host.request('attach-room', { roomCode: code, participantId: hostId });
    await guest.request('attach-room', { roomCode: code, participantId: guestId });
    await guest.next('peer-joined');
    host.close();
    expect(await guest.next('peer-left')).toEqual({ flightCode: code, peerId: host.id });
    const summary = (await (await fetch(`${url}/api/rooms/${code}?participantId=${guestId}`)).json()) as any;
    expect(summary).toMatchObject({ status: 'waiting', peer: null, self: { role: 'host', name: 'Guest Gina' } });
  });

  it('never hands the peer a participant id that works as a credential', async () => {
    const { code, hostId, guestId } = await room();
    const guest = await connect('10.97.0.2');
    const attached = await guest.request<{ peer: { participantId: string } }>('attach-room', {
      roomCode: code,
      participantId: guestId,
    });
    const hostAlias = attached.ok ? attached.data.peer.participantId : '';
    expect(hostAlias).toMatch(/^[0-9a-z]{12}$/);
    expect(hostAlias).not.toBe(hostId);
    const intruder = await connect('10.97.0.3');
    expect(await intruder.request('attach-room', { roomCode: code, participantId: hostAlias })).toMatchObject({
      ok: false,
      error: { code: 'room_not_found' },
    });
  });

  it('hands a slot attached again to the newest socket: the old one is told room-detached and changes nothing', async () => {
    const { code, hostId, guestId } = await room();
    const host = await connect('10.96.0.1');
    const guest = await connect('10.96.0.2');
    await host.request('attach-room', { roomCode: code, participantId: hostId });
    await guest.request('attach-room', { roomCode: code, participantId: guestId });
    await host.next('peer-joined');

    const hostAgain = await connect('10.96.0.1');
    expect(await hostAgain.request('attach-room', { roomCode: code, participantId: hostId })).toMatchObject({
      ok: true,
      data: { role: 'host' },
    });
    expect(await host.next('room-detached')).toEqual({
      roomCode: code,
      channel: 'transfer',
      reason: 'attached-elsewhere',
    });
    await guest.next<{ peer: { id: string } }>('peer-joined', (joined) => joined.peer.id === hostAgain.id);
    expect(await host.request('signal', { data: 'stale' })).toMatchObject({
      ok: false,
      error: { code: 'not_in_flight' },
    });

    host.close();
    hostAgain.emit('signal', { data: 'fresh' });
    expect(await guest.next('signal')).toEqual({ from: hostAgain.id, data: 'fresh', seq: expect.any(Number) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(guest.count('peer-left')).toBe(0);
    const summary = (await (await fetch(`${url}/api/rooms/${code}?participantId=${hostId}`)).json()) as any;
    expect(summary).toMatchObject({ status: 'paired', self: { role: 'host' }, peer: { name: 'Guest Gina' } });
  });

  it('keeps a slot attached again from the same socket: no peer-left, the room unchanged, peer-joined again', async () => {
    const { code, hostId, guestId } = await room();
    const host = await connect('10.95.0.1');
    const guest = await connect('10.95.0.2');
    await host.request('attach-room', { roomCode: code, participantId: hostId });
    await guest.request('attach-room', { roomCode: code, participantId: guestId });
    await host.next('peer-joined');
    await guest.next('peer-joined');
    for (let i = 0; i < 2; i++) {
      expect(await guest.request('attach-room', { roomCode: code, participantId: guestId })).toMatchObject({
        ok: true,
        data: { role: 'guest' },
      });
      expect(await host.next<{ peer: { id: string } }>('peer-joined')).toMatchObject({ peer: { id: guest.id } });
    }
    guest.emit('signal', { data: 'still here' });
    expect(await host.next('signal')).toEqual({ from: guest.id, data: 'still here', seq: expect.any(Number) });
    expect(host.count('peer-left') + guest.count('peer-left') + guest.count('room-detached')).toBe(0);
    const summary = (await (await fetch(`${url}/api/rooms/${code}?participantId=${hostId}`)).json()) as any;
    expect(summary).toMatchObject({ status: 'paired', self: { role: 'host' }, peer: { role: 'guest' } });
  });
});
