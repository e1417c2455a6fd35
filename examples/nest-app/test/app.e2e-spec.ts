import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { RendezvousClient } from '@rendezvous/client';
import {
  createRendezvousTestingModule,
  FAKE_ICE_SERVERS,
  listenOnLoopback,
  TestClient,
  TestRendezvous,
} from '@rendezvous/testing';
import { AppModule } from '../src/app.module.js';

const path = '/rtc/socket.io';

describe('the application with Rendezvous inside', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await createRendezvousTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    url = await listenOnLoopback(app);
  });

  afterAll(async () => {
    await app.close();
  });

  it('pairs two users of the app in a flight; the host’s offer reaches the guest; the lobby counts them', async () => {
    const host = await TestClient.connect(url, { path, name: 'Alice' });
    const guest = await TestClient.connect(url, { path, name: 'Bob' });
    try {
      const { flightCode } = await TestClient.pairInFlight(host, guest);
      expect(flightCode).toHaveLength(6);
      await host.signal({ type: 'offer', sdp: 'v=0\r\n' });
      const offer = await guest.waitFor('signal', (signal) => signal.from === host.id);
      expect(offer.data).toEqual({ type: 'offer', sdp: 'v=0\r\n' });
      const lobby = await (await fetch(`${url}/lobby`)).json();
      expect(lobby).toMatchObject({ online: 2, flights: 1 });
    } finally {
      host.close();
      guest.close();
    }
  });

  it('serves Rendezvous’ HTTP API under /rtc', async () => {
    const health = await fetch(`${url}/rtc/health/live`);
    expect(health.status).toBe(200);
    const rooms = await fetch(`${url}/rtc/api/rooms/public`);
    expect(rooms.status).toBe(200);
  });

  it('works with the published browser client (@rendezvous/client) and hands out the test ICE servers', async () => {
    const client = new RendezvousClient(url, { path, reconnection: false });
    try {
      const registered = await client.ready();
      expect(registered.id).toMatch(/^[0-9a-z]{10}$/);
      const renamed = await client.request('register-details', { name: 'Carol' });
      expect(renamed.name).toBe('Carol');
      const servers = await client.getIceServers();
      expect(servers.flatMap((server) => server.urls)).toEqual(expect.arrayContaining([FAKE_ICE_SERVERS[0]!.urls]));
    } finally {
      client.close();
    }
  });
});

describe('a two-replica test cluster on a throwaway redis-server', () => {
  let cluster: TestRendezvous;
  beforeAll(async () => {
    cluster = await TestRendezvous.start({ replicas: 2 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('relays between users on different replicas', async () => {
    const host = await cluster.connect({ replica: 0 });
    const guest = await cluster.connect({ replica: 1 });
    await TestClient.pairInFlight(host, guest);
    await guest.signal({ type: 'answer' });
    expect((await host.waitFor('signal')).data).toEqual({ type: 'answer' });
  });
});
