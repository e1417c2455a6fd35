import { applyMigrations, findPrismaRoot, parseDatabaseUrl } from '@rendezvous/persistence';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { PostgresServer } from '../../../test/support/postgres-server.js';
import { REDIS_TOPOLOGIES, type RedisUnderTest } from '../../../test/support/redis-topologies.js';
import { Replica, untilReadiness } from '../../../test/support/replica.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;
type RoomInfo = { room_id: string; clients: { id: string; username: string }[]; version: number };
type CallState = { callId: string; roomId: string; participants: string[]; active: boolean };

const CLUSTER_ENV = {
  REPLICA_HEARTBEAT_MS: '250',
  REPLICA_TIMEOUT_MS: '1500',
  REDIS_CONNECT_TIMEOUT_MS: '5000',
  // A dead replica's sessions wait this long for their clients (these raw clients never come back for them).
  RECONNECT_GRACE_MS: '1000',
};

describe.each(REDIS_TOPOLOGIES)(
  'cluster e2e: multiparty rooms and calls on two replicas, $name and PostgreSQL',
  (topology) => {
    let redis: RedisUnderTest;
    let postgres: PostgresServer;
    let env: Record<string, string>;
    let one: Replica;
    let two: Replica;
    const clients: Client[] = [];

    const connect = async (replica: Replica) => {
      const client = await TestClient.connect(replica.url);
      clients.push(client);
      return client;
    };
    const join = async (client: Client, payload: Record<string, unknown>) => {
      const answer = await client.request<{ clients: unknown[] }>('join-room', payload);
      if (!answer.ok) throw new Error(`join-room failed: ${JSON.stringify(answer)}`);
      return answer.data;
    };
    const roomInfoWith = (client: Client, count: number) =>
      client.next<RoomInfo>('room-info', (info) => info.clients.length === count, 8_000);

    beforeAll(async () => {
      [redis, postgres] = await Promise.all([topology.start(), PostgresServer.start()]);
      const databaseUrl = postgres.createDatabase('cluster_rooms');
      await applyMigrations(parseDatabaseUrl(databaseUrl), findPrismaRoot());
      env = { ...CLUSTER_ENV, ...redis.env, DATABASE_URL: databaseUrl };
      [one, two] = await Promise.all([Replica.start('rooms-1', env), Replica.start('rooms-2', env)]);
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    afterAll(async () => {
      await Promise.all([one?.stop(), two?.stop()]);
      await Promise.all([redis?.stop(), postgres?.stop()]);
    });

    it('puts members of different replicas in one room: room-info, addressed relays, text, profile', async () => {
      const alice = await connect(one);
      const bob = await connect(two);
      const carol = await connect(two);
      await join(alice, { roomId: 'cross', name: 'Alice', isPublic: true });
      await join(bob, { roomId: 'cross', name: 'Bob' });
      await join(carol, { roomId: 'cross', name: 'Carol' });
      const seen = await Promise.all([alice, bob, carol].map((client) => roomInfoWith(client, 3)));
      expect(new Set(seen.map((info) => info.version)).size).toBe(1);
      expect(seen[0]?.clients.map((c) => c.username).sort()).toEqual(['Alice', 'Bob', 'Carol']);

      for (let i = 0; i < 10; i++) alice.emit('icecandidate', { receiver: bob.id, data: { seq: i } });
      for (let i = 0; i < 10; i++) {
        expect(await bob.next('icecandidate')).toEqual({
          sender: alice.id,
          receiver: bob.id,
          data: { seq: i },
          seq: expect.any(Number),
        });
      }
      expect(await bob.request('answer', { receiver: alice.id, data: { type: 'answer', sdp: 'v=0' } })).toMatchObject({
        ok: true,
      });
      expect(await alice.next('answer')).toMatchObject({ sender: bob.id });
      expect(carol.count('icecandidate')).toBe(0);

      carol.emit('text', { text: 'across replicas' });
      for (const client of [alice, bob, carol]) {
        expect(await client.next('text')).toMatchObject({ sender: carol.id, from: 'Carol', text: 'across replicas' });
      }

      await bob.request('profile', { username: 'Robert' });
      const renamed = await alice.next<RoomInfo>('room-info', (info) =>
        info.clients.some((c) => c.username === 'Robert'),
      );
      expect(renamed.clients).toHaveLength(3);

      const publicRooms = (await (await fetch(`${two.url}/api/rooms/public`)).json()) as { rooms: unknown[] };
      expect(publicRooms.rooms).toContainEqual({ id: 'cross', name: 'cross', members: 3, locked: false });

      const stranger = await connect(two);
      await join(stranger, { roomId: 'elsewhere' });
      expect(await alice.request('offer', { receiver: stranger.id, data: {} })).toMatchObject({
        ok: false,
        error: { code: 'receiver_not_in_room' },
      });

      alice.forget('room-info');
      carol.close();
      const after = await roomInfoWith(alice, 2);
      expect(after.clients.map((c) => c.id).sort()).toEqual([alice.id, bob.id].sort());
    });

    it('keeps a room password created through one replica when joining through the other', async () => {
      const owner = await connect(one);
      const guest = await connect(two);
      await join(owner, { roomId: 'locked-x', password: 's3cret' });
      expect(await guest.request('join-room', { roomId: 'locked-x', password: 'nope' })).toMatchObject({
        ok: false,
        error: { code: 'wrong_password' },
      });
      await join(guest, { roomId: 'locked-x', password: 's3cret' });
      expect((await roomInfoWith(owner, 2)).clients.map((c) => c.id)).toContain(guest.id);
    });

    it('gives the last slot of a room to exactly one of many joiners racing on both replicas', async () => {
      for (let round = 0; round < 5; round++) {
        const roomId = `race-${round}`;
        const owner = await connect(one);
        await join(owner, { roomId, guestLimit: 3 });
        const racers = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(i % 2 ? one : two)));
        const answers = await Promise.all(racers.map((racer) => racer.request('join-room', { roomId })));
        expect(answers.filter((answer) => answer.ok)).toHaveLength(2);
        expect(answers.filter((answer) => !answer.ok).map((answer) => !answer.ok && answer.error.code)).toEqual(
          Array(6).fill('room_full'),
        );
        expect((await roomInfoWith(owner, 3)).clients).toHaveLength(3);
        for (const client of clients.splice(0)) client.close();
      }
    });

    it('runs a call across replicas; a SIGKILLed replica\u2019s participants drop out on the survivor', async () => {
      const doomed = await Replica.start('rooms-doomed', env);
      try {
        const alice = await connect(one);
        const bob = await connect(two);
        const victim = await TestClient.connect(doomed.url, { reconnection: false });
        await join(alice, { roomId: 'call-room' });
        await join(bob, { roomId: 'call-room' });
        await join(victim, { roomId: 'call-room' });
        await roomInfoWith(alice, 3);

        const started = await alice.request<{ callId: string }>('start-call', { roomId: 'call-room' });
        if (!started.ok) throw new Error('start-call failed');
        const { callId } = started.data;
        expect(await victim.next('call-started')).toEqual({ callId, roomId: 'call-room', by: alice.id });
        await bob.request('join-call', { callId });
        await victim.request('join-call', { callId });
        const full = await alice.next<CallState>('call-state', (state) => state.participants.length === 3, 8_000);
        expect(full.participants).toEqual([alice.id, bob.id, victim.id]);
        expect((await two.stats()).cluster).toMatchObject({ activeRooms: 1, activeCalls: 1 });

        const signal = { sdp: 'offer from the doomed replica' };
        victim.emit('call-signal', { callId, target: bob.id, signal });
        expect(await bob.next('call-signal')).toEqual({ callId, from: victim.id, signal, seq: expect.any(Number) });

        alice.forget('call-state');
        bob.forget('room-info');
        await doomed.kill();
        const dropped = await alice.next<CallState>('call-state', (state) => state.participants.length === 2, 10_000);
        expect(dropped).toEqual({ callId, roomId: 'call-room', participants: [alice.id, bob.id], active: true });
        expect((await roomInfoWith(bob, 2)).clients.map((c) => c.id)).not.toContain(victim.id);

        expect(await bob.request('call-signal', { callId, target: victim.id, signal })).toMatchObject({
          ok: false,
          error: { code: 'target_not_in_call' },
        });
        await alice.request('end-call', { callId });
        await bob.request('end-call', { callId });
        expect(await alice.next<CallState>('call-state', (state) => !state.active)).toEqual({
          callId,
          roomId: 'call-room',
          participants: [],
          active: false,
        });
      } finally {
        await doomed.stop();
      }
    });

    it('writes rooms and calls back after Redis restarts empty, and they keep working', async () => {
      const alice = await connect(one);
      const bob = await connect(two);
      await join(alice, { roomId: 'survivor' });
      await join(bob, { roomId: 'survivor' });
      const before = await roomInfoWith(alice, 2);
      const started = await alice.request<{ callId: string }>('start-call', { roomId: 'survivor' });
      if (!started.ok) throw new Error('start-call failed');
      const { callId } = started.data;
      await bob.request('join-call', { callId });

      await redis.kill();
      await untilReadiness([one], 503);
      alice.forget('room-info');
      await redis.launch();
      await untilReadiness([one, two], 200, 15_000);

      // Both replicas wrote their members back; versions kept growing, so nobody discards the new rosters.
      const restored = await roomInfoWith(alice, 2);
      expect(restored.version).toBeGreaterThan(before.version);
      const carol = await connect(one);
      const entered = await join(carol, { roomId: 'survivor' });
      expect(entered.clients).toHaveLength(3);
      expect((entered as unknown as { calls: { callId: string; participants: string[] }[] }).calls).toEqual([
        expect.objectContaining({ callId, participants: expect.arrayContaining([alice.id, bob.id]) }),
      ]);
      const signal = { after: 'restart' };
      alice.emit('call-signal', { callId, target: bob.id, signal });
      expect(await bob.next('call-signal', () => true, 8_000)).toEqual({
        callId,
        from: alice.id,
        signal,
        seq: expect.any(Number),
      });
    });
  },
);
