import { RendezvousClient } from '@rendezvous/client';
import { sessionKey } from '@rendezvous/cluster';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { NginxServer } from '../../../test/support/nginx-server.js';
import { eventually, sleep } from '../../../test/support/ports.js';
import { RedisServer } from '../../../test/support/redis-server.js';
import { Replica, untilReadiness } from '../../../test/support/replica.js';
import { pairInFlight, SignalTraffic } from '../../../test/support/signal-traffic.js';
import { TcpBalancer } from '../../../test/support/tcp-balancer.js';

const ENV = {
  TRUSTED_PROXIES: '127.0.0.1',
  REPLICA_HEARTBEAT_MS: '250',
  REPLICA_TIMEOUT_MS: '1500',
  RECONNECT_GRACE_MS: '15000',
  // A frozen replica's clients notice within about two seconds.
  WS_HEALTH_CHECK_INTERVAL_MS: '1000',
  WS_PING_TIMEOUT_MS: '1000',
};

/** Redis, replicas and a balancer in front, started per test and stopped in reverse. */
class Rig {
  readonly clients: RendezvousClient[] = [];
  private readonly stops: (() => Promise<unknown>)[] = [];
  redis!: RedisServer;
  observer!: Redis;
  replicas: Replica[] = [];
  url = '';

  async start(replicas: number, front: 'nginx' | 'tcp'): Promise<this> {
    this.redis = await RedisServer.start();
    this.stops.push(() => this.redis.stop());
    this.observer = new Redis(this.redis.url);
    // It reconnects by itself when a test restarts Redis.
    this.observer.on('error', () => undefined);
    this.stops.push(async () => this.observer.disconnect());
    const env = { ...ENV, REDIS_URL: this.redis.url };
    this.replicas = await Promise.all(Array.from({ length: replicas }, (_, i) => Replica.start(`fail-${i + 1}`, env)));
    this.stops.push(() => Promise.all(this.replicas.map((replica) => replica.stop())));
    if (front === 'nginx') {
      const nginx = await NginxServer.start({ upstreams: this.replicas.map((replica) => `127.0.0.1:${replica.port}`) });
      this.stops.push(() => nginx.stop());
      this.url = nginx.url;
    } else {
      const balancer = await TcpBalancer.start(this.replicas[0]!.port);
      this.stops.push(() => balancer.stop());
      this.balancer = balancer;
      this.url = balancer.url;
    }
    return this;
  }

  balancer: TcpBalancer | null = null;

  async connect(url = this.url): Promise<RendezvousClient> {
    const client = new RendezvousClient(url);
    this.clients.push(client);
    await client.ready();
    return client;
  }

  replicaOf(client: RendezvousClient): Promise<string | null> {
    return this.observer.hget(sessionKey('rv:', client.session!.id), 'replica');
  }

  /** Flights whose two members sit on different replicas, each paired after its host heard `peer-joined`. */
  async flightsAcross(members: RendezvousClient[]): Promise<[RendezvousClient, RendezvousClient][]> {
    const free = await Promise.all(members.map(async (client) => ({ client, replica: await this.replicaOf(client) })));
    const flights: [RendezvousClient, RendezvousClient][] = [];
    while (free.length > 1) {
      const host = free.shift()!;
      const index = free.findIndex((each) => each.replica !== host.replica);
      if (index < 0) break;
      const [guest] = free.splice(index, 1);
      await pairInFlight(host.client, guest!.client);
      flights.push([host.client, guest!.client]);
    }
    return flights;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
  }
}

/** Eight clients in flights across two replicas, signalling every 50 ms for half a second already. */
async function steadyTraffic(rig: Rig) {
  const members = await Promise.all(Array.from({ length: 8 }, () => rig.connect()));
  const flights = await rig.flightsAcross(members);
  const heard = listen(members);
  const traffic = new SignalTraffic(flights, 50);
  traffic.start();
  await sleep(500);
  return { flights, heard, traffic };
}

/** Counts what the clients' applications hear. */
function listen(clients: RendezvousClient[]) {
  const heard = { peerLeft: 0, resumed: new Map<RendezvousClient, number>(), lost: 0 };
  for (const client of clients) {
    client.on('peer-left', () => void heard.peerLeft++);
    client.on('resumed', () => void heard.resumed.set(client, (heard.resumed.get(client) ?? 0) + 1));
    client.on('session-lost', () => void heard.lost++);
  }
  return heard;
}

describe('sessions survive a replica failure (redis-server, replica processes, a balancer in front)', () => {
  let rig: Rig | null = null;
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });

  it('SIGKILL mid-flight behind nginx: every client back in its flight, every signal delivered once, in order', async () => {
    rig = await new Rig().start(2, 'nginx');
    const members = await Promise.all(Array.from({ length: 12 }, () => rig!.connect()));
    const flights = await rig.flightsAcross(members);
    expect(flights.length).toBeGreaterThanOrEqual(4);
    const victim = rig.replicas[0]!;
    const placement = await Promise.all(members.map((client) => rig!.replicaOf(client)));
    const victims = members.filter((_, index) => placement[index] === victim.id);
    const ids = victims.map((client) => client.session!.id);
    const heard = listen(members);
    const traffic = new SignalTraffic(flights, 50);
    traffic.start();
    await sleep(800);

    await victim.kill();
    await eventually(async () => victims.every((client) => heard.resumed.get(client) === 1), 'resumed', 10_000);
    await sleep(1_000);
    const report = await traffic.stop(10_000);

    expect(victims.map((client) => client.session?.id)).toEqual(ids);
    expect(heard).toMatchObject({ peerLeft: 0, lost: 0 });
    expect(report).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, refused: 0, unanswered: 0 });
    expect(report.acknowledged).toBe(report.sent);
    expect(report.sent).toBeGreaterThan(flights.length * 2 * 20);
  });

  it('SIGKILL mid-room and mid-call: the members stay in the room and the call; call signals go on', async () => {
    rig = await new Rig().start(2, 'nginx');
    const members = await Promise.all(Array.from({ length: 4 }, () => rig!.connect()));
    const placement = await Promise.all(members.map((client) => rig!.replicaOf(client)));
    expect(new Set(placement).size).toBe(2);
    for (const [index, member] of members.entries()) {
      await member.joinRoom({ roomId: 'survivors', name: `Member ${index}` });
    }
    const { callId } = await members[0]!.startCall('survivors');
    for (const member of members.slice(1)) await member.joinCall(callId);
    const heard = listen(members);
    const rosters: number[] = [];
    const calls: number[] = [];
    for (const member of members) {
      member.on('room-info', ({ clients }) => void rosters.push(clients.length));
      member.on('call-state', ({ participants }) => void calls.push(participants.length));
    }
    const victim = rig.replicas[0]!;
    const victims = members.filter((_, index) => placement[index] === victim.id);
    const survivor = members.find((_, index) => placement[index] !== victim.id)!;
    const resumed = victims.map(
      (client) =>
        new Promise<{ roomId: string | null; callId: string | null }>((resolve) => client.on('resumed', resolve)),
    );

    await victim.kill();
    for (const payload of await Promise.all(resumed)) expect(payload).toMatchObject({ roomId: 'survivors', callId });

    // Call signals both ways between a resumed member and a survivor, numbered and received once.
    const fromVictim = new Promise((resolve) => survivor.on('call-signal', resolve));
    expect(await victims[0]!.callSignal(callId, survivor.session!.id, { sdp: 'after' })).toMatchObject({
      forwarded: true,
      delivery: 'delivered',
    });
    expect(await fromVictim).toMatchObject({ callId, from: victims[0]!.session!.id, signal: { sdp: 'after' } });
    const toVictim = new Promise((resolve) => victims[0]!.on('call-signal', resolve));
    await survivor.callSignal(callId, victims[0]!.session!.id, { sdp: 'back' });
    expect(await toVictim).toMatchObject({ from: survivor.session!.id, signal: { sdp: 'back' } });
    await sleep(2_500);
    // Nobody saw the room or the call shrink, nor a departure.
    expect(rosters.every((count) => count === 4)).toBe(true);
    expect(calls.every((count) => count === 4)).toBe(true);
    expect(heard).toMatchObject({ peerLeft: 0, lost: 0 });
  });

  it('a frozen replica: its client takes the session over elsewhere; thawed, the replica neither takes it back nor delivers twice', async () => {
    rig = await new Rig().start(2, 'tcp');
    const [frozen, other] = rig.replicas as [Replica, Replica];
    const moving = await rig.connect();
    const staying = await rig.connect(other.url);
    expect(await rig.replicaOf(moving)).toBe(frozen.id);
    const [flight] = await rig.flightsAcross([moving, staying]);
    const heard = listen([moving, staying]);
    const traffic = new SignalTraffic([flight!], 50);
    traffic.start();
    await sleep(500);

    frozen.process.freeze();
    rig.balancer!.routeTo(other.port);
    try {
      await eventually(
        async () => heard.resumed.get(moving) === 1,
        'the client to resume on the other replica',
        10_000,
      );
      expect(await rig.replicaOf(moving)).toBe(other.id);
      await sleep(1_000);
    } finally {
      frozen.process.thaw();
    }
    // Back from its freeze, the replica finds its session taken and lets go.
    await sleep(3_000);
    const report = await traffic.stop(10_000);
    expect(await rig.replicaOf(moving)).toBe(other.id);
    expect(frozen.process.running).toBe(true);
    expect(heard).toMatchObject({ peerLeft: 0, lost: 0 });
    expect(report).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, refused: 0, unanswered: 0 });
    expect(report.acknowledged).toBe(report.sent);
  });

  it('lets a resumed client in a flight whose peer sits on the same dead replica find both back', async () => {
    rig = await new Rig().start(2, 'tcp');
    const [doomed, other] = rig.replicas as [Replica, Replica];
    const host = await rig.connect();
    const guest = await rig.connect();
    const joined = new Promise((resolve) => host.on('peer-joined', resolve));
    const { flightCode } = await host.createFlight();
    await guest.joinFlight(flightCode);
    await joined;
    const heard = listen([host, guest]);
    rig.balancer!.routeTo(other.port);
    await doomed.kill();
    await eventually(async () => heard.resumed.size === 2, 'both to resume', 10_000);
    const received = new Promise((resolve) => guest.on('signal', resolve));
    await host.signal({ again: true });
    expect(await received).toMatchObject({ from: host.session!.id, data: { again: true } });
    expect(heard).toMatchObject({ peerLeft: 0, lost: 0 });
  });

  it('Redis frozen for 3 s under steady signalling: everything is held and delivered, nothing lost', async () => {
    rig = await new Rig().start(2, 'nginx');
    const { heard, traffic } = await steadyTraffic(rig);
    await rig.redis.freeze(3_000);
    await sleep(1_000);
    const report = await traffic.stop(10_000);
    expect(heard).toMatchObject({ peerLeft: 0, lost: 0 });
    expect(heard.resumed.size).toBe(0);
    expect(report).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, unanswered: 0 });
    expect(report.acknowledged + report.refused).toBe(report.sent);
  });

  it('Redis killed and restarted empty after 3 s: refusals reported, nothing acknowledged lost, ready within a second', async () => {
    rig = await new Rig().start(2, 'nginx');
    const { flights, heard, traffic } = await steadyTraffic(rig);
    await rig.redis.kill();
    await untilReadiness(rig.replicas, 503);
    await sleep(3_000);
    await rig.redis.launch();
    const readyAfter = await untilReadiness(rig.replicas, 200);
    await sleep(1_500);
    const report = await traffic.stop(10_000);
    expect(readyAfter).toBeLessThan(1_000);
    // The clients stayed connected with their sessions: nobody left, resumed or lost anything.
    expect(heard).toMatchObject({ peerLeft: 0, lost: 0 });
    expect(heard.resumed.size).toBe(0);
    expect(report).toMatchObject({ lost: 0, duplicates: 0, unanswered: 0 });
    expect(report.acknowledged + report.refused).toBe(report.sent);
    expect(report.refused).toBeGreaterThan(0);
    expect(Object.keys(report.refusals).every((code) => ['unavailable', 'peer_unavailable'].includes(code))).toBe(true);
    // After the outage the flights relay again, every message acknowledged.
    const after = new SignalTraffic(flights, 50);
    after.start();
    await sleep(1_000);
    expect(await after.stop(5_000)).toMatchObject({ lost: 0, refused: 0, duplicates: 0, unanswered: 0 });
  });
});
