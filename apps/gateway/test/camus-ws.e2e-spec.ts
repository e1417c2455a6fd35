import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';

const GROUND = 'ground control';

// Camus's protocol as its prebuilt client speaks it (../shared/reference/SEED-CLIENTS.md §2): envelopes
// {sender, receiver, type, data} on a plain WebSocket at /room/<slug>/ws.
describe('Camus over a plain WebSocket', () => {
  let app: INestApplication;
  let url: string;
  const open: { close(): void }[] = [];

  /** Opens a Camus socket and learns its id the way the bundle does: from its first pong's `receiver`. */
  const camus = async (room: string, query = '') => {
    const client = await PlainWsClient.open(`${url}/room/${room}/ws${query}`);
    open.push(client);
    client.send({ receiver: GROUND, type: 'ping', data: 1 });
    const pong = await client.next('pong');
    return Object.assign(client, { id: String(pong.receiver) });
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp());
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  it('answers ping, get-ice-servers and get-room-info, and pushes room-info on profile', async () => {
    const alice = await PlainWsClient.open(`${url}/room/lobby-1/ws`);
    open.push(alice);
    alice.send({ receiver: GROUND, type: 'ping', data: 1733140000000 });
    const pong = await alice.next('pong');
    expect(pong).toEqual({
      sender: GROUND,
      receiver: expect.stringMatching(/^[0-9a-z]{10}$/),
      type: 'pong',
      data: 1733140000000,
    });
    const aliceId = pong.receiver;

    alice.send({ receiver: GROUND, type: 'get-ice-servers' });
    const ice = await alice.next('ice-servers');
    expect(ice).toMatchObject({ sender: GROUND, receiver: aliceId });
    expect(Array.isArray(ice.data) && (ice.data as { urls: unknown }[]).every((server) => server.urls)).toBe(true);

    const bob = await camus('lobby-1');
    alice.send({ receiver: GROUND, type: 'get-room-info' });
    const info = await alice.next('room-info', (frame) => (frame.data as { clients: unknown[] }).clients.length === 2);
    expect(info).toEqual({
      sender: GROUND,
      receiver: aliceId,
      type: 'room-info',
      data: {
        room_id: 'lobby-1',
        clients: expect.arrayContaining([
          { id: aliceId, username: 'Major Tom' },
          { id: bob.id, username: 'Major Tom' },
        ]),
      },
    });

    alice.send({ receiver: GROUND, type: 'profile', data: { username: 'Alice' } });
    const named = (frame: Record<string, unknown>) => JSON.stringify(frame.data).includes('"Alice"');
    expect(await bob.next('room-info', named)).toMatchObject({ receiver: bob.id });
    expect(await alice.next('room-info', named)).toMatchObject({ receiver: aliceId });
  });

  it('relays addressed offers, answers and candidates with the sender stamped, and text to the whole room', async () => {
    const alice = await camus('lobby-2');
    const bob = await camus('lobby-2');
    alice.send({ receiver: bob.id, type: 'offer', data: { type: 'offer', sdp: 'v=0' } });
    expect(await bob.next('offer')).toEqual({
      sender: alice.id,
      receiver: bob.id,
      type: 'offer',
      data: { type: 'offer', sdp: 'v=0' },
    });
    bob.send({ receiver: alice.id, type: 'icecandidate', data: { candidate: 'c', sdpMid: '0' } });
    expect(await alice.next('icecandidate')).toMatchObject({ sender: bob.id, data: { candidate: 'c' } });

    alice.send({ receiver: 'room', type: 'text', data: { from: 'Alice', time: 1733140000000, text: 'hello' } });
    for (const member of [alice, bob]) {
      expect(await member.next('text')).toEqual({
        sender: alice.id,
        receiver: member.id,
        type: 'text',
        data: { from: 'Alice', time: 1733140000000, text: 'hello' },
      });
    }
  });

  it('says goodbye: bye leaves the room, the others hear bye and get a room-info without the leaver', async () => {
    const alice = await camus('lobby-3');
    const bob = await camus('lobby-3');
    alice.send({ receiver: bob.id, type: 'bye', data: 1 });
    alice.send({ receiver: GROUND, type: 'bye', data: 1 });
    expect(await bob.next('bye')).toMatchObject({ sender: alice.id, receiver: bob.id });
    await bob.next('room-info', (frame) => !JSON.stringify(frame.data).includes(alice.id));
  });

  it("answers unknown types and bad frames in Camus's words", async () => {
    const alice = await camus('lobby-4');
    alice.send({ receiver: GROUND, type: 'teleport' });
    expect(await alice.next('error')).toEqual({
      sender: GROUND,
      receiver: alice.id,
      type: 'error',
      data: 'Unknown message type: teleport',
    });
    alice.send('not json');
    expect((await alice.next('error')).data).toBe('Invalid message format');
    alice.send({ receiver: 'nobody0000', type: 'offer', data: {} });
    expect((await alice.next('error')).data).toBe('Receiver is not in your room');
    for (const room of ['bad%E0%A4%A', 'not a room!']) {
      const refused = await PlainWsClient.open(`${url}/room/${room}/ws`);
      open.push(refused);
      expect((await refused.next('error')).data).toBe('Invalid message payload');
      expect((await refused.closed).code).toBe(1008);
    }
  });

  it('meets Socket.IO join-room clients in the same room', async () => {
    const alice = await camus('mixed-room');
    const member = await TestClient.connect(url);
    open.push(member);
    expect(await member.request('join-room', { roomId: 'mixed-room', name: 'Socket Sam' })).toMatchObject({ ok: true });
    await alice.next('room-info', (frame) => JSON.stringify(frame.data).includes('Socket Sam'));
    member.emit('offer', { receiver: alice.id, data: { type: 'offer', sdp: 'x' } });
    expect(await alice.next('offer')).toMatchObject({ sender: member.id, receiver: alice.id });
    alice.send({ receiver: member.id, type: 'answer', data: { type: 'answer', sdp: 'y' } });
    expect(await member.next('answer')).toEqual({
      sender: alice.id,
      receiver: member.id,
      data: { type: 'answer', sdp: 'y' },
      seq: 1,
    });
  });

  it('keeps a password room closed without its password (given as ?password=)', async () => {
    const owner = await TestClient.connect(url);
    open.push(owner);
    expect(
      await owner.request('join-room', { roomId: 'locked', name: 'Owner', password: 'open sesame' }),
    ).toMatchObject({
      ok: true,
    });
    const intruder = await PlainWsClient.open(`${url}/room/locked/ws`);
    open.push(intruder);
    expect((await intruder.next('error')).data).toBe('Wrong room password');
    expect((await intruder.closed).code).toBe(1008);
    const guest = await camus('locked', '?password=open%20sesame');
    guest.send({ receiver: GROUND, type: 'get-room-info' });
    expect(await guest.next('room-info')).toMatchObject({ data: { room_id: 'locked' } });
  });
});
