import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';

// Seed 004's generic signaling server as its document describes it (../shared/reference/SEED-CLIENTS.md §3):
// ws://host/?roomId=&userId=&userName=, offers and candidates by targetUserId, GET /health and GET /rooms.
describe('seed 004 (generic ws) over a plain WebSocket', () => {
  let app: INestApplication;
  let url: string;
  const open: { close(): void }[] = [];

  const join = async (roomId: string, userId: string, userName: string) => {
    const client = await PlainWsClient.open(`${url}/?roomId=${roomId}&userId=${userId}&userName=${userName}`);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp());
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  it('welcomes, announces arrivals and departures, and relays by userId', async () => {
    const alice = await join('g-room', 'alice', 'Alice');
    expect(await alice.next('welcome')).toEqual({ type: 'welcome', participants: [] });
    const bob = await join('g-room', 'bob', 'Bob');
    expect(await bob.next('welcome')).toEqual({ type: 'welcome', participants: [{ id: 'alice', name: 'Alice' }] });
    expect(await alice.next('participant-joined')).toEqual({
      type: 'participant-joined',
      userId: 'bob',
      userName: 'Bob',
    });

    bob.send({ type: 'offer', targetUserId: 'alice', sdp: { type: 'offer', sdp: 'v=0 bob' } });
    expect(await alice.next('offer')).toEqual({
      type: 'offer',
      fromUserId: 'bob',
      sdp: { type: 'offer', sdp: 'v=0 bob' },
    });
    alice.send({ type: 'answer', targetUserId: 'bob', sdp: { type: 'answer', sdp: 'v=0 alice' } });
    expect(await bob.next('answer')).toEqual({
      type: 'answer',
      fromUserId: 'alice',
      sdp: { type: 'answer', sdp: 'v=0 alice' },
    });
    alice.send({ type: 'ice-candidate', targetUserId: 'bob', candidate: { candidate: 'c1', sdpMid: '0' } });
    expect(await bob.next('ice-candidate')).toEqual({
      type: 'ice-candidate',
      fromUserId: 'alice',
      candidate: { candidate: 'c1', sdpMid: '0' },
    });

    const listed = (await (await fetch(`${url}/rooms`)).json()) as { rooms: unknown[] };
    expect(listed.rooms).toContainEqual({
      roomId: 'g-room',
      participantCount: 2,
      participants: expect.arrayContaining([
        { id: 'alice', name: 'Alice', joinedAt: expect.any(Number) },
        { id: 'bob', name: 'Bob', joinedAt: expect.any(Number) },
      ]),
    });
    const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      rooms: expect.any(Number),
      connections: expect.any(Number),
      roomDetails: expect.arrayContaining([expect.objectContaining({ roomId: 'g-room', participantCount: 2 })]),
    });
    expect(new Date(String(health.timestamp)).toISOString()).toBe(health.timestamp);

    bob.close();
    expect(await alice.next('participant-left')).toEqual({ type: 'participant-left', userId: 'bob' });
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${url}/rooms`)).json()) as { rooms: { roomId: string; participantCount: number }[] }
          ).rooms.find((room) => room.roomId === 'g-room')?.participantCount,
      )
      .toBe(1);
  });

  it('answers what it cannot do with an error and stays connected', async () => {
    const alice = await join('g-errors', 'alice', 'Alice');
    await alice.next('welcome');
    alice.send({ type: 'teleport' });
    expect(await alice.next('error')).toEqual({ type: 'error', message: 'Unknown message type: teleport' });
    alice.send({ type: 'offer', sdp: {} });
    expect((await alice.next('error')).message).toBe('Invalid message payload');
    alice.send({ type: 'offer', targetUserId: 'nobody', sdp: {} });
    expect((await alice.next('error')).message).toBe('Receiver is not in your room');
    alice.send('{');
    expect((await alice.next('error')).message).toBe('Invalid message format');
  });

  it('refuses an invalid room id with an error and a close', async () => {
    const client = await join('bad%20room!', 'u', 'U');
    expect((await client.next('error')).message).toBe('Invalid message payload');
    expect((await client.closed).code).toBe(1008);
  });

  it('sees Socket.IO and Camus members of its room by their session ids, and they see it', async () => {
    const sam = await TestClient.connect(url);
    open.push(sam);
    await sam.request('join-room', { roomId: 'g-mixed', name: 'Socket Sam' });
    const gina = await join('g-mixed', 'gina', 'Gina');
    expect(await gina.next('welcome')).toEqual({ type: 'welcome', participants: [{ id: sam.id, name: 'Socket Sam' }] });
    const camus = await PlainWsClient.open(`${url}/room/g-mixed/ws`);
    open.push(camus);
    camus.send({ receiver: 'ground control', type: 'ping', data: 0 });
    const camusId = String((await camus.next('pong')).receiver);
    expect(await gina.next('participant-joined')).toEqual({
      type: 'participant-joined',
      userId: camusId,
      userName: 'Major Tom',
    });

    sam.emit('offer', { receiver: await ginaSessionId(), data: { type: 'offer', sdp: 's' } });
    expect(await gina.next('offer')).toEqual({ type: 'offer', fromUserId: sam.id, sdp: { type: 'offer', sdp: 's' } });
    gina.send({ type: 'answer', targetUserId: sam.id, sdp: { type: 'answer', sdp: 'g' } });
    expect(await sam.next('answer')).toMatchObject({ data: { type: 'answer', sdp: 'g' } });
    gina.send({ type: 'ice-candidate', targetUserId: camusId, candidate: { candidate: 'x' } });
    expect(await camus.next('icecandidate')).toMatchObject({ receiver: camusId, data: { candidate: 'x' } });

    async function ginaSessionId(): Promise<string> {
      const info = await sam.request<{ clients: { id: string; username: string }[] }>('get-room-info');
      if (!info.ok) throw new Error('no room info');
      return info.data.clients.find((member) => member.username === 'Gina')?.id ?? '';
    }
  });
});
