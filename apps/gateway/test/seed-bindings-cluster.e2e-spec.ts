import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';
import { REDIS_TOPOLOGIES, type RedisUnderTest } from '../../../test/support/redis-topologies.js';
import { NginxServer } from '../../../test/support/nginx-server.js';
import { Replica } from '../../../test/support/replica.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';

const CLUSTER_ENV = { TRUSTED_PROXIES: '127.0.0.1', REPLICA_HEARTBEAT_MS: '250', REPLICA_TIMEOUT_MS: '1500' };

// The seeds' own protocols share the live state with Socket.IO clients, whichever replica each one is on.
describe('seed protocols across two replicas with Redis', () => {
  let redis: RedisUnderTest;
  let one: Replica;
  let two: Replica;
  let nginx: NginxServer;
  const open: { close(): void }[] = [];

  const dropSilk = async (replica: Replica, address: string) => {
    const client = await PlainWsClient.open(replica.url, { 'x-forwarded-for': address });
    open.push(client);
    await client.next('registered');
    return client;
  };
  const socketIo = async (replica: Replica, address: string) => {
    const client = await TestClient.connect(replica.url, { headers: { 'x-forwarded-for': address } });
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    redis = await (REDIS_TOPOLOGIES[0] as (typeof REDIS_TOPOLOGIES)[number]).start();
    const env = { ...CLUSTER_ENV, ...redis.env };
    [one, two] = await Promise.all([Replica.start('seed-1', env), Replica.start('seed-2', env)]);
    nginx = await NginxServer.start({ upstreams: [`127.0.0.1:${one.port}`, `127.0.0.1:${two.port}`] });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.stop();
  });

  it('runs a DropSilk flight between replicas, and one with a Socket.IO peer', async () => {
    const host = await dropSilk(one, '10.20.0.1');
    const guest = await dropSilk(two, '10.20.0.2');
    host.send({ type: 'create-flight' });
    const { flightCode } = await host.next('flight-created');
    guest.send({ type: 'join-flight', flightCode });
    expect(await host.next('peer-joined')).toMatchObject({ flightCode, connectionType: 'lan' });
    await guest.next('peer-joined');
    host.send({ type: 'signal', data: { sdp: 'offer' } });
    expect(await guest.next('signal')).toEqual({ type: 'signal', data: { sdp: 'offer' } });
    guest.send({ type: 'signal', data: { sdp: 'answer' } });
    expect(await host.next('signal')).toEqual({ type: 'signal', data: { sdp: 'answer' } });
    guest.close();
    expect(await host.next('peer-left')).toEqual({ type: 'peer-left' });

    const second = await dropSilk(one, '10.20.0.3');
    second.send({ type: 'create-flight' });
    const code = (await second.next('flight-created')).flightCode;
    const remote = await socketIo(two, '10.20.0.4');
    expect(await remote.request('join-flight', { flightCode: code })).toMatchObject({ ok: true });
    remote.emit('signal', { data: { candidate: 'c' } });
    expect(await second.next('signal')).toEqual({ type: 'signal', data: { candidate: 'c' } });
  });

  it('pairs a DropSilk transfer socket with a Socket.IO one on the other replica in a transfer room', async () => {
    const { code, hostId, guestId } = await pairedTransferRoom(one.url, { host: 'Hal', guest: 'Gina' });
    const host = await dropSilk(one, '10.21.0.1');
    host.send({ type: 'attach-room', roomCode: code, participantId: hostId });
    await host.next('room-attached');
    const guest = await socketIo(two, '10.21.0.2');
    await guest.request('attach-room', { roomCode: code, participantId: guestId });
    expect(await host.next('peer-joined')).toMatchObject({ flightCode: code, peer: { id: guest.id } });
    host.send({ type: 'signal', data: { sdp: 'host offer' } });
    expect(await guest.next('signal')).toMatchObject({ data: { sdp: 'host offer' } });
    guest.close();
    expect(await host.next('peer-left')).toEqual({ type: 'peer-left' });
  });

  it('meets Camus clients and a Socket.IO member of one multiparty room on both replicas', async () => {
    const camus = async (replica: Replica) => {
      const client = await PlainWsClient.open(`${replica.url}/room/cross-room/ws`);
      open.push(client);
      client.send({ receiver: 'ground control', type: 'ping', data: 0 });
      return Object.assign(client, { id: String((await client.next('pong')).receiver) });
    };
    const alice = await camus(one);
    const bob = await camus(two);
    const sam = await socketIo(two, '10.22.0.1');
    expect(await sam.request('join-room', { roomId: 'cross-room', name: 'Socket Sam' })).toMatchObject({ ok: true });
    await alice.next('room-info', (frame) => JSON.stringify(frame.data).includes('Socket Sam'));
    alice.send({ receiver: bob.id, type: 'offer', data: { type: 'offer', sdp: 'a' } });
    expect(await bob.next('offer')).toMatchObject({ sender: alice.id, receiver: bob.id });
    sam.emit('offer', { receiver: alice.id, data: { type: 'offer', sdp: 's' } });
    expect(await alice.next('offer')).toMatchObject({ sender: sam.id });
    bob.send({ receiver: 'room', type: 'text', data: { text: 'hi all' } });
    expect(await alice.next('text')).toMatchObject({ sender: bob.id, data: { text: 'hi all' } });
    expect(await sam.next('text')).toMatchObject({ sender: bob.id, text: 'hi all' });
  });

  it('runs seed 004 clients on both replicas: welcome, offers by userId, and /rooms cluster-wide', async () => {
    const join = async (replica: Replica, userId: string) => {
      const client = await PlainWsClient.open(
        `${replica.url}/?roomId=cross-generic&userId=${userId}&userName=${userId}`,
      );
      open.push(client);
      return client;
    };
    const ann = await join(one, 'ann');
    await ann.next('welcome');
    const ben = await join(two, 'ben');
    expect(await ben.next('welcome')).toEqual({ type: 'welcome', participants: [{ id: 'ann', name: 'ann' }] });
    expect(await ann.next('participant-joined')).toMatchObject({ userId: 'ben' });
    ben.send({ type: 'offer', targetUserId: 'ann', sdp: { type: 'offer', sdp: 'b' } });
    expect(await ann.next('offer')).toEqual({ type: 'offer', fromUserId: 'ben', sdp: { type: 'offer', sdp: 'b' } });
    for (const replica of [one, two]) {
      const { rooms } = (await (await fetch(`${replica.url}/rooms`)).json()) as {
        rooms: { roomId: string; participants: { id: string }[] }[];
      };
      const room = rooms.find((entry) => entry.roomId === 'cross-generic');
      expect(room?.participants.map((participant) => participant.id).sort()).toEqual(['ann', 'ben']);
    }
    ben.close();
    expect(await ann.next('participant-left')).toEqual({ type: 'participant-left', userId: 'ben' });
  });

  it('serves every protocol through one nginx in front of both replicas', async () => {
    // Round robin: consecutive sockets land on alternate replicas.
    const host = await PlainWsClient.open(nginx.url);
    open.push(host);
    await host.next('registered');
    host.send({ type: 'create-flight' });
    const { flightCode } = await host.next('flight-created');
    const guest = await TestClient.connect(nginx.url);
    open.push(guest);
    expect(await guest.request('join-flight', { flightCode })).toMatchObject({ ok: true });
    // As DropSilk's page does: it signals once told of its peer (before that, its replica drops a signal silently).
    await host.next('peer-joined');
    host.send({ type: 'signal', data: { sdp: 'through nginx' } });
    expect(await guest.next('signal')).toMatchObject({ data: { sdp: 'through nginx' } });

    const camus = await PlainWsClient.open(`${nginx.url}/room/lb-room/ws`);
    open.push(camus);
    camus.send({ receiver: 'ground control', type: 'ping', data: 0 });
    const camusId = String((await camus.next('pong')).receiver);
    const generic = await PlainWsClient.open(`${nginx.url}/?roomId=lb-room&userId=gil&userName=Gil`);
    open.push(generic);
    expect(await generic.next('welcome')).toEqual({
      type: 'welcome',
      participants: [{ id: camusId, name: 'Major Tom' }],
    });
    generic.send({ type: 'offer', targetUserId: camusId, sdp: { type: 'offer', sdp: 'g' } });
    expect(await camus.next('offer')).toMatchObject({ receiver: camusId, data: { type: 'offer', sdp: 'g' } });
    const rooms = (await (await fetch(`${nginx.url}/rooms`)).json()) as { rooms: { roomId: string }[] };
    expect(rooms.rooms.map((room) => room.roomId)).toContain('lb-room');
  });
});
