import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { eventually, sleep } from '../../../test/support/ports.js';
import { REDIS_TOPOLOGIES, type RedisUnderTest } from '../../../test/support/redis-topologies.js';
import { Replica, untilReadiness } from '../../../test/support/replica.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;

const CLUSTER_ENV = {
  TRUSTED_PROXIES: '127.0.0.1',
  REPLICA_HEARTBEAT_MS: '250',
  REPLICA_TIMEOUT_MS: '1500',
  REDIS_CONNECT_TIMEOUT_MS: '5000',
  // A dead replica's sessions wait this long for their clients (these raw clients never come back for them).
  RECONNECT_GRACE_MS: '1000',
};

describe.each(REDIS_TOPOLOGIES)('cluster e2e: two replica processes on $name', (topology) => {
  let redis: RedisUnderTest;
  let one: Replica;
  let two: Replica;
  const clients: Client[] = [];
  const extraReplicas: Replica[] = [];

  const connect = async (replica: Replica, address: string) => {
    const client = await TestClient.connect(replica.url, { headers: { 'x-forwarded-for': address } });
    clients.push(client);
    return client;
  };

  const createFlight = async (client: Client) => {
    const answer = await client.request<{ flightCode: string }>('create-flight');
    if (!answer.ok) throw new Error(`create-flight failed: ${JSON.stringify(answer)}`);
    return answer.data.flightCode;
  };

  beforeAll(async () => {
    redis = await topology.start();
    const env = { ...CLUSTER_ENV, ...redis.env };
    [one, two] = await Promise.all([Replica.start('replica-1', env), Replica.start('replica-2', env)]);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop(), ...extraReplicas.map((r) => r.stop())]);
    await redis?.stop();
  });

  it('shows presence across replicas', async () => {
    const a = await connect(one, '192.168.10.5');
    const b = await connect(two, '192.168.10.6');
    expect(await a.usersUpdate((users) => users.length === 1)).toEqual([{ id: b.id, name: b.name }]);
    expect(await b.usersUpdate((users) => users.length === 1)).toEqual([{ id: a.id, name: a.name }]);
    await b.request('register-details', { name: 'Remote Bob' });
    expect(await a.usersUpdate((users) => users[0]?.name === 'Remote Bob')).toHaveLength(1);
    b.close();
    expect(await a.usersUpdate((users) => users.length === 0)).toEqual([]);
  });

  it('runs a flight across replicas: join, signals both ways, invitation, peer-left', async () => {
    const host = await connect(one, '192.168.11.5');
    const guest = await connect(two, '198.51.100.7');
    const code = await createFlight(host);

    const friend = await connect(two, '192.168.11.9');
    expect(await host.request('invite-to-flight', { inviteeId: friend.id, flightCode: code })).toMatchObject({
      ok: true,
    });
    expect(await friend.next('flight-invitation')).toEqual({ flightCode: code, fromId: host.id, fromName: host.name });

    await guest.request('join-flight', { flightCode: code.toLowerCase() });
    expect(await host.next('peer-joined')).toEqual({
      flightCode: code,
      peer: { id: guest.id, name: guest.name },
      connectionType: 'wan',
    });
    await guest.next('peer-joined');

    for (let i = 0; i < 20; i++) {
      host.emit('signal', { data: { seq: i, sdp: 'offer' } });
      guest.emit('signal', { data: { seq: i, candidate: 'c' } });
    }
    for (let i = 0; i < 20; i++) {
      expect(await guest.next('signal', (p: any) => p.data.seq === i)).toEqual({
        from: host.id,
        data: { seq: i, sdp: 'offer' },
        seq: i + 1,
      });
      expect(await host.next('signal', (p: any) => p.data.seq === i)).toEqual({
        from: guest.id,
        data: { seq: i, candidate: 'c' },
        seq: i + 1,
      });
    }

    const stats = await one.stats();
    expect(stats.mode).toBe('cluster');
    expect(stats.activeFlights).toBeGreaterThanOrEqual(1);
    expect(stats.cluster.replicas.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['replica-1', 'replica-2']),
    );

    guest.close();
    expect(await host.next('peer-left')).toEqual({ flightCode: code, peerId: guest.id });
  });

  it('pairs the transfer sockets of a durable room attached on two replicas', async () => {
    const post = async (replica: Replica, path: string, body: unknown) =>
      (await (
        await fetch(`${replica.url}/api/rooms${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as any;
    const created = await post(one, '', { name: 'Host on one' });
    const joined = await post(two, `/${created.roomCode}/join`, { name: 'Guest on two' });
    const host = await connect(one, '10.5.0.1');
    const guest = await connect(two, '10.6.0.1');
    await host.request('attach-room', { roomCode: created.roomCode, participantId: created.self.participantId });
    await guest.request('attach-room', { roomCode: created.roomCode, participantId: joined.self.participantId });
    expect(await host.next('peer-joined')).toMatchObject({
      peer: { id: guest.id, name: 'Guest on two' },
      connectionType: 'wan',
    });
    await guest.next('peer-joined');
    host.emit('signal', { data: 'offer across replicas' });
    expect(await guest.next('signal')).toEqual({
      from: host.id,
      data: 'offer across replicas',
      seq: expect.any(Number),
    });
    guest.emit('signal', { data: 'answer across replicas' });
    expect(await host.next('signal')).toEqual({
      from: guest.id,
      data: 'answer across replicas',
      seq: expect.any(Number),
    });
    guest.close();
    expect(await host.next('peer-left')).toEqual({ flightCode: created.roomCode, peerId: guest.id });
  });

  it('lets exactly one of two guests on two replicas win the race for a flight, 25 times', async () => {
    for (let round = 0; round < 25; round++) {
      const host = await connect(one, '10.1.0.1');
      const g1 = await connect(one, '10.1.0.2');
      const g2 = await connect(two, '10.1.0.3');
      const code = await createFlight(host);
      const answers = await Promise.all([
        g1.request('join-flight', { flightCode: code }),
        g2.request('join-flight', { flightCode: code }),
      ]);
      const winners = answers.filter((a) => a.ok);
      const losers = answers.filter((a) => !a.ok);
      expect(winners).toHaveLength(1);
      expect(losers).toEqual([
        { ok: false, error: { code: 'flight_not_found', message: 'Flight not found or full', event: 'join-flight' } },
      ]);
      for (const client of clients.splice(0)) client.close();
    }
  });

  it('ends the sessions of a SIGKILLed replica whose clients do not come back within the grace: peer-left and presence', async () => {
    const doomed = await Replica.start('replica-doomed', { ...CLUSTER_ENV, ...redis.env });
    extraReplicas.push(doomed);
    const survivor = await connect(one, '192.168.20.1');
    const victim = await connect(doomed, '192.168.20.2');
    const code = await createFlight(survivor);
    await victim.request('join-flight', { flightCode: code });
    await survivor.next('peer-joined');
    const watcher = await connect(two, '192.168.20.3');
    await watcher.usersUpdate(() => true);

    const killedAt = Date.now();
    await doomed.kill();
    expect(await survivor.next('peer-left', () => true, 10_000)).toEqual({ flightCode: code, peerId: victim.id });
    // Found dead within REPLICA_TIMEOUT_MS, then parked for RECONNECT_GRACE_MS: only then does its peer hear.
    const detectedAfter = Date.now() - killedAt;
    expect(detectedAfter).toBeGreaterThanOrEqual(1_000);
    expect(detectedAfter).toBeLessThan(6_000);
    expect(await watcher.usersUpdate((users) => users.length === 1 && users[0]?.id === survivor.id, 10_000)).toEqual([
      { id: survivor.id, name: survivor.name },
    ]);
    const stats = await eventually(async () => {
      const s = await one.stats();
      return s.cluster.replicas.some((r: { id: string }) => r.id === 'replica-doomed') ? false : s;
    }, 'the dead replica to leave /stats');
    expect(stats.cluster.replicas).toHaveLength(2);
  });

  it('applies DropSilk departure rules when the replica holding an attached room socket dies', async () => {
    const doomed = await Replica.start('replica-doomed-room', { ...CLUSTER_ENV, ...redis.env });
    extraReplicas.push(doomed);
    const post = async (path: string, body: unknown) =>
      (await (
        await fetch(`${one.url}/api/rooms${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as any;
    const created = await post('', { name: 'Survivor host' });
    const joined = await post(`/${created.roomCode}/join`, { name: 'Doomed guest' });
    const host = await connect(one, '10.7.0.1');
    const guest = await connect(doomed, '10.7.0.2');
    await host.request('attach-room', { roomCode: created.roomCode, participantId: created.self.participantId });
    await guest.request('attach-room', { roomCode: created.roomCode, participantId: joined.self.participantId });
    await host.next('peer-joined');

    await doomed.kill();
    expect(await host.next('peer-left', () => true, 10_000)).toEqual({
      flightCode: created.roomCode,
      peerId: guest.id,
    });
    const summary = (await (
      await fetch(`${one.url}/api/rooms/${created.roomCode}?participantId=${created.self.participantId}`)
    ).json()) as any;
    expect(summary).toMatchObject({ status: 'waiting', peer: null, self: { role: 'host' } });
  });

  it('survives a Redis restart: not ready meanwhile, then flights work again and old flights are restored', async () => {
    const host = await connect(one, '10.2.0.1');
    const guest = await connect(two, '10.2.0.2');
    const code = await createFlight(host);
    await guest.request('join-flight', { flightCode: code });
    await host.next('peer-joined');

    await redis.kill();
    await untilReadiness([one, two], 503);
    const statsDuringOutage = await fetch(`${one.url}/stats`);
    expect(statsDuringOutage.status).toBe(503);
    expect(((await statsDuringOutage.json()) as { error: string }).error).toMatch(/^Cluster figures unavailable/);
    const duringOutage = await host.request('create-flight');
    expect(duringOutage).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message: 'Service temporarily unavailable, try again shortly',
        event: 'create-flight',
      },
    });
    // A client arriving during the outage is told and let go, rather than left without a session.
    const late = io(one.url, { forceNew: true, transports: ['websocket'], reconnection: false });
    const lateError = new Promise((resolve) => late.on('error' as never, resolve));
    const lateGone = new Promise((resolve) => late.on('disconnect', resolve));
    expect(await lateError).toMatchObject({ code: 'unavailable' });
    expect(await lateGone).toBe('io server disconnect');
    late.close();
    await sleep(500);
    await redis.launch();

    await untilReadiness([one, two], 200, 15_000);
    expect(one.process.running && two.process.running).toBe(true);

    // The existing flight was written back from the replicas' own knowledge.
    await eventually(async () => (await one.stats()).activeFlights >= 1, 'restored flight', 10_000);
    host.emit('signal', { data: 'after restart' });
    expect(await guest.next('signal', () => true, 10_000)).toEqual({
      from: host.id,
      data: 'after restart',
      seq: expect.any(Number),
    });

    const newHost = await connect(two, '10.3.0.1');
    const newGuest = await connect(one, '10.3.0.2');
    const newCode = await eventually(
      async () => {
        const answer = await newHost.request<{ flightCode: string }>('create-flight');
        return answer.ok ? answer.data.flightCode : false;
      },
      'create-flight after restart',
      10_000,
    );
    expect(await newGuest.request('join-flight', { flightCode: newCode })).toMatchObject({ ok: true });
    await newHost.next('peer-joined');
    newHost.emit('signal', { data: 'fresh' });
    expect(await newGuest.next('signal')).toEqual({ from: newHost.id, data: 'fresh', seq: expect.any(Number) });
  });

  it('drains on SIGTERM without a grace: server-shutdown, sockets closed, peers told at once', async () => {
    const draining = await Replica.start('replica-drain', {
      ...CLUSTER_ENV,
      ...redis.env,
      SHUTDOWN_TIMEOUT_MS: '5000',
      RECONNECT_GRACE_MS: '0',
    });
    extraReplicas.push(draining);
    const peer = await connect(one, '10.4.0.1');
    const leaving = await connect(draining, '10.4.0.2');
    const code = await createFlight(peer);
    await leaving.request('join-flight', { flightCode: code });
    await peer.next('peer-joined');

    const started = Date.now();
    const exit = draining.stop();
    expect(await leaving.next('server-shutdown')).toEqual({ message: 'Server is shutting down for maintenance.' });
    expect(await exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await peer.next('peer-left')).toEqual({ flightCode: code, peerId: leaving.id });
  });
});
