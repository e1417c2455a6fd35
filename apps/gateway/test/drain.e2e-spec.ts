import { RendezvousClient } from '@rendezvous/client';
import type { SessionResumedPayload } from '@rendezvous/protocol';
import { sessionKey } from '@rendezvous/cluster';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { logLinesOf } from '../../../test/support/log-lines.js';
import { NginxServer } from '../../../test/support/nginx-server.js';
import { eventually, sleep } from '../../../test/support/ports.js';
import { RedisServer } from '../../../test/support/redis-server.js';
import { Replica } from '../../../test/support/replica.js';

const GRACE_MS = 3_000;
const READINESS_DELAY_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 8_000;

/** One client of the library behind nginx, with what it heard. */
class Member {
  readonly peerLeft: unknown[] = [];
  readonly resumed: SessionResumedPayload[] = [];
  readonly signals: unknown[] = [];
  id = '';

  constructor(readonly client: RendezvousClient) {
    client.on('peer-left', (payload) => this.peerLeft.push(payload));
    client.on('session-resumed', (payload) => this.resumed.push(payload));
    client.on('signal', ({ data }) => this.signals.push(data));
  }

  static async connect(url: string): Promise<Member> {
    const member = new Member(new RendezvousClient(url));
    member.id = (await member.client.ready()).id;
    return member;
  }
}

describe('graceful drain: SIGTERM one of two replicas behind nginx during active flights', () => {
  let redis: RedisServer;
  let observer: Redis;
  let drained: Replica;
  let staying: Replica;
  let nginx: NginxServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
    observer = new Redis(redis.url);
    const env = {
      REDIS_URL: redis.url,
      RECONNECT_GRACE_MS: String(GRACE_MS),
      DRAIN_READINESS_DELAY_MS: String(READINESS_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      REPLICA_HEARTBEAT_MS: '500',
      REPLICA_TIMEOUT_MS: '2000',
    };
    [drained, staying] = await Promise.all([Replica.start('drain-a', env), Replica.start('drain-b', env)]);
    nginx = await NginxServer.start({ upstreams: [`127.0.0.1:${drained.port}`, `127.0.0.1:${staying.port}`] });
  });
  afterAll(async () => {
    observer?.disconnect();
    await nginx?.stop();
    await Promise.all([drained?.stop(), staying?.stop()]);
    await redis?.stop();
  });

  const replicaOf = (sessionId: string) => observer.hget(sessionKey('rv:', sessionId), 'replica');

  it('clients reconnect through nginx to the other replica and keep their flights; peers hear nothing', async () => {
    // Six members in three flights, connected one after another so nginx spreads them over both replicas.
    const members: Member[] = [];
    for (let i = 0; i < 6; i++) members.push(await Member.connect(nginx.url));
    const flights: [Member, Member, string][] = [];
    for (let i = 0; i < 6; i += 2) {
      const [host, guest] = [members[i]!, members[i + 1]!];
      // As a real client does, the host signals once it has heard `peer-joined` (its replica then knows the peer).
      const joined = new Promise<void>((resolve) => {
        const stop = host.client.on('peer-joined', () => {
          stop();
          resolve();
        });
      });
      const { flightCode } = await host.client.createFlight();
      await guest.client.joinFlight(flightCode);
      await joined;
      flights.push([host, guest, flightCode]);
      await host.client.signal({ before: 'drain' });
      await guest.client.signal({ before: 'drain' });
    }
    const placement = new Map(await Promise.all(members.map(async (m) => [m, await replicaOf(m.id)] as const)));
    const onDrained = members.filter((member) => placement.get(member) === 'drain-a');
    expect(onDrained.length, 'nginx placed members on the replica to drain').toBeGreaterThan(0);
    expect(onDrained.length).toBeLessThan(members.length);

    // A client that never comes back (no client library, straight to the drained replica), and its peer.
    const vanishing = await TestClient.connect(drained.url);
    const abandoned = await TestClient.connect(staying.url);
    const lonely = await vanishing.request<{ flightCode: string }>('create-flight');
    if (!lonely.ok) throw new Error('create-flight failed');
    await abandoned.request('join-flight', { flightCode: lonely.data.flightCode });

    // Not ready first, while its clients are still connected.
    const started = Date.now();
    const exited = drained.process.stop('SIGTERM');
    await eventually(async () => (await drained.readyStatus()) === 503, 'the drained replica reporting not ready');
    expect(Date.now() - started).toBeLessThan(READINESS_DELAY_MS);
    expect(onDrained.every((member) => member.client.socket.connected)).toBe(true);
    expect(await staying.readyStatus()).toBe(200);

    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    // Every member of the drained replica is back, on the other one, with its own session and flight.
    await eventually(() => onDrained.every((member) => member.resumed.length === 1), 'the sessions resumed', 10_000);
    for (const [host, guest, flightCode] of flights) {
      for (const [self, peer] of [
        [host, guest],
        [guest, host],
      ] as const) {
        if (!onDrained.includes(self)) continue;
        expect(self.resumed[0]).toEqual({
          id: self.id,
          flightCode,
          peer: { id: peer.id, name: expect.any(String) },
          roomId: null,
          callId: null,
        });
        expect((await self.client.ready()).id).toBe(self.id);
      }
    }
    for (const member of members) expect(await replicaOf(member.id)).toBe('drain-b');

    // The flights go on: every member's signal reaches its peer.
    for (const [host, guest, flightCode] of flights) {
      await expect(host.client.signal({ after: 'drain', from: host.id })).resolves.toEqual({
        flightCode,
        forwarded: true,
        delivery: 'delivered',
        seq: expect.any(Number),
      });
      await guest.client.signal({ after: 'drain', from: guest.id });
    }
    await eventually(
      () =>
        flights.every(
          ([host, guest]) =>
            host.signals.some((data) => (data as { from?: string }).from === guest.id) &&
            guest.signals.some((data) => (data as { from?: string }).from === host.id),
        ),
      'signals in every flight after the drain',
    );
    expect(members.flatMap((member) => member.peerLeft)).toEqual([]);

    // A moved flight's story counts the signals of both replicas' sockets and names both replicas.
    const [storyHost, storyGuest, storyCode] = flights.find(([host, guest]) =>
      [host, guest].some((member) => onDrained.includes(member)),
    )!;
    await storyHost.client.leaveFlight();
    await storyGuest.client.leaveFlight();
    const story = await eventually(
      () =>
        logLinesOf(staying.process.output).find(
          (line) => line.msg === 'FLIGHT STORY COMPLETE' && line.story?.flightCode === storyCode,
        )?.story as Record<string, any> | undefined,
      'the moved flight’s story',
    );
    expect(story.signalsExchanged).toBe(4);
    expect([...(story.replicas as string[])].sort()).toEqual(['drain-a', 'drain-b']);
    expect(story.ended).toEqual({ by: storyGuest.id, how: 'left' });

    // The member that never came back is let go only when its grace has run out.
    await sleep(GRACE_MS - (Date.now() - started) - 500);
    expect(abandoned.count('peer-left')).toBe(0);
    const left = await abandoned.next<{ peerId: string }>('peer-left', () => true, GRACE_MS + 5_000);
    expect(left.peerId).toBe(vanishing.id);
    expect(await replicaOf(vanishing.id)).toBeNull();

    for (const member of members) member.client.close();
    abandoned.close();
  });

  it('starts a new session for a resume attempt with a wrong token or an unknown session', async () => {
    const victim = await TestClient.connect(staying.url);
    for (const resume of [
      { sessionId: victim.id, token: 'not-the-token' },
      { sessionId: 'unknown-session', token: 'x' },
      { sessionId: 42, token: null },
    ]) {
      const intruder = await TestClient.connect(staying.url, { auth: { resume } });
      expect(intruder.id).not.toBe(victim.id);
      expect(intruder.count('session-resumed')).toBe(0);
      intruder.close();
    }
    expect(await replicaOf(victim.id)).toBe('drain-b');
    victim.close();
  });
});
