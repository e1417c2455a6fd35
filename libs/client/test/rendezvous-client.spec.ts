import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { freePort } from '../../../test/support/ports.js';
import { Replica } from '../../../test/support/replica.js';
import { RendezvousClient, RendezvousError } from '../src/index.js';

const nextEvent = <T>(client: RendezvousClient, event: string) =>
  new Promise<T>((resolve) => client.socket.once(event as never, resolve as never));

describe('RendezvousClient (libs/client) against a gateway', () => {
  let app: INestApplication;
  let url: string;
  const clients: RendezvousClient[] = [];
  const open = async () => {
    const client = new RendezvousClient(url);
    clients.push(client);
    await client.ready();
    return client;
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ STUN_URLS: 'stun:stun.example.net:3478' }));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await app?.close();
  });

  it('registers, runs a flight and relays signals, with typed answers', async () => {
    const [host, guest] = [await open(), await open()];
    expect(host.iceServers).toEqual([{ urls: ['stun:stun.example.net:3478'] }]);
    expect(await host.register('Typed Host')).toEqual({ id: host.session?.id, name: 'Typed Host' });
    const { flightCode } = await host.createFlight();
    const hostJoined = nextEvent<{ peer: { id: string } }>(host, 'peer-joined');
    const joined = await guest.joinFlight(flightCode);
    expect(joined.peer).toEqual({ id: host.session?.id, name: 'Typed Host' });
    expect((await hostJoined).peer.id).toBe(guest.session?.id);
    const received = nextEvent<{ from: string; data: unknown }>(guest, 'signal');
    expect(await host.signal({ sdp: 'offer' })).toEqual({ flightCode, forwarded: true, delivery: 'delivered', seq: 1 });
    expect(await received).toEqual({ from: host.session?.id, data: { sdp: 'offer' }, seq: 1 });
  });

  it('rejects refused requests with a RendezvousError carrying the protocol code', async () => {
    const client = await open();
    const error = await client.joinFlight('ZZZZZZ').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RendezvousError);
    expect(error).toMatchObject({
      code: 'flight_not_found',
      message: 'Flight not found or full',
      event: 'join-flight',
    });
    await expect(client.joinRoom({ roomId: 'bad id' })).rejects.toMatchObject({ code: 'invalid_payload' });
  });

  it('joins rooms, addresses members, runs calls and asks for ICE servers', async () => {
    const [alice, bob] = [await open(), await open()];
    await alice.joinRoom({ roomId: 'client-room', name: 'Alice' });
    const roster = nextEvent<{ clients: unknown[] }>(alice, 'room-info');
    const joined = await bob.joinRoom({ roomId: 'client-room', name: 'Bob' });
    expect(joined.clients).toHaveLength(2);
    expect((await roster).clients).toHaveLength(2);
    const offer = nextEvent<{ sender: string; data: unknown }>(alice, 'offer');
    await bob.sendToMember('offer', alice.session!.id, { type: 'offer', sdp: 'v=0' });
    expect(await offer).toMatchObject({ sender: bob.session?.id, data: { type: 'offer', sdp: 'v=0' } });
    const { callId } = await alice.startCall('client-room');
    expect(await bob.joinCall(callId)).toMatchObject({ participants: [alice.session?.id, bob.session?.id] });
    expect(await alice.getIceServers()).toEqual([{ urls: ['stun:stun.example.net:3478'] }]);
    expect(await alice.leaveRoom()).toEqual({ left: 'client-room' });
  });

  it('reconnects by itself when its replica goes away and another takes the address', async () => {
    const port = await freePort();
    let replica = await Replica.start('client-reconnect-1', {}, port);
    const client = new RendezvousClient(replica.url);
    clients.push(client);
    try {
      const first = await client.ready();
      const again = nextEvent<{ id: string }>(client, 'registered');
      await replica.kill();
      replica = await Replica.start('client-reconnect-2', {}, port);
      const second = await again;
      expect(second.id).not.toBe(first.id);
      expect(client.session?.id).toBe(second.id);
      expect(await client.createFlight()).toMatchObject({ flightCode: expect.stringMatching(/^[A-Z2-9]{6}$/) });
    } finally {
      client.close();
      await replica.stop();
    }
  }, 30_000);
});
