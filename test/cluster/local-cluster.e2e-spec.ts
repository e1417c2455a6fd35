import { RendezvousClient } from '@rendezvous/client';
import { sessionKey } from '@rendezvous/cluster';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../support/local-cluster.js';
import { eventually } from '../support/ports.js';
import { pairInFlight } from '../support/signal-traffic.js';

const REPLICAS = 3;

describe('npm run cluster: three replicas behind nginx, with Redis, PostgreSQL and the scheduler', () => {
  let cluster: LocalCluster;
  let observer: Redis;
  const clients: RendezvousClient[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      replicas: REPLICAS,
      env: { REPLICA_HEARTBEAT_MS: '500', REPLICA_TIMEOUT_MS: '2000' },
    });
    observer = new Redis(cluster.redis.url);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    observer?.disconnect();
    await cluster?.stop();
  });

  const replicaOf = async (client: RendezvousClient) =>
    observer.hget(sessionKey('rv:', (await client.ready()).id), 'replica');
  const connect = async () => {
    const client = new RendezvousClient(cluster.url);
    clients.push(client);
    await client.ready();
    return client;
  };

  it('serves the demo and the API through nginx from every replica', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3 * REPLICAS; i++) {
      const stats = (await (await fetch(`${cluster.url}/stats`)).json()) as { replica: { id: string } };
      seen.add(stats.replica.id);
    }
    expect([...seen].sort()).toEqual(['gateway-1', 'gateway-2', 'gateway-3']);
    expect((await fetch(`${cluster.url}/demo`)).status).toBe(200);
    const status = (await (await fetch(`${cluster.url}/api/status`)).json()) as { status: string };
    expect(status.status).toBe('operational');
    expect((await fetch(`${cluster.url}/health/ready`)).status).toBe(200);
  });

  it('spreads clients over the replicas, pairs them across replicas, and moves them when one is killed', async () => {
    const members = [];
    for (let i = 0; i < 2 * REPLICAS; i++) members.push(await connect());
    const placement = await Promise.all(members.map(replicaOf));
    expect(new Set(placement).size).toBe(REPLICAS);

    // Each flight pairs members that sit on different replicas.
    const flights: [RendezvousClient, RendezvousClient][] = [];
    const free = members.map((client, index) => ({ client, replica: placement[index]! }));
    while (free.length > 1) {
      const host = free.shift()!;
      const guestIndex = free.findIndex((each) => each.replica !== host.replica);
      if (guestIndex < 0) break;
      const [guest] = free.splice(guestIndex, 1);
      flights.push([host.client, guest!.client]);
    }
    expect(flights.length).toBeGreaterThanOrEqual(2);
    const exchange = async ([host, guest]: [RendezvousClient, RendezvousClient], tag: string) => {
      const received = new Promise((resolve) => {
        const stop = guest.on('signal', ({ data }) => {
          if ((data as { tag?: string }).tag === tag) {
            stop();
            resolve(data);
          }
        });
      });
      expect(await host.signal({ tag })).toMatchObject({ forwarded: true });
      await received;
    };
    const pair = pairInFlight;
    for (const [index, flight] of flights.entries()) {
      await pair(flight[0], flight[1]);
      await exchange(flight, `before-${index}`);
    }

    // One replica dies: its clients reconnect through nginx to the two others and take their sessions up.
    const victim = cluster.replicas[0]!;
    const victims = members.filter((_, index) => placement[index] === victim.id);
    expect(victims.length).toBeGreaterThan(0);
    const oldIds = await Promise.all(victims.map(async (client) => (await client.ready()).id));
    const peerLeft: string[] = [];
    const resumed: string[] = [];
    for (const member of members) member.on('peer-left', ({ peerId }) => void peerLeft.push(peerId));
    for (const member of victims) member.on('resumed', ({ id }) => void resumed.push(id));
    await victim.kill();
    await eventually(
      async () => resumed.length === victims.length,
      'the clients of the killed replica resumed their sessions',
      15_000,
    );
    expect(victims.map((client) => client.session?.id)).toEqual(oldIds);
    const after = await Promise.all(members.map(replicaOf));
    expect(after.every((replica) => replica !== null && replica !== victim.id)).toBe(true);
    for (let i = 0; i < 6; i++) expect((await fetch(`${cluster.url}/stats`)).status).toBe(200);

    // Every flight goes on as it was, both ways; nobody heard peer-left.
    for (const [index, [host, guest]] of flights.entries()) {
      await exchange([host, guest], `after-kill-${index}`);
      await exchange([guest, host], `back-${index}`);
    }
    expect(peerLeft).toEqual([]);
  });
});
