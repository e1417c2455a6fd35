/**
 * `npm run bench`: signal relay throughput, latency and cost per message for the baselines (a bare `ws` relay,
 * a bare Socket.IO relay, the PeerJS server), one standalone replica (Socket.IO and DropSilk's plain WebSocket),
 * two replicas + Redis with each Socket.IO Redis adapter, multiparty rooms (50 rooms of 6 members over the same
 * two replicas, addressed offer/answer/icecandidate), a Redis Cluster and nginx in front of 1-3 replicas; then
 * the capacity scenarios of capacity.ts (connect rate, reconnect storm, idle memory per socket). Everything runs
 * on loopback, bounded in time, and stops what it started.
 *
 * Options: --pairs=100 --seconds=4 --rate=5000 --idle=10000 --windows=4,8,16,32 --rooms=50 --room-size=6
 *          --connects=5000 --connect-concurrency=100 --storm=10000
 *          --only=ws,socketio,peerjs,standalone,dropsilk,wsredis,sharded,rediscluster,rooms,classic,connect,storm,idle,
 *                 nginx
 *          (nginx: --nginx-replicas=1,2,3)
 * Saturation is the highest delivered rate over the swept closed-loop depths (messages in flight per sender).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NginxServer } from '../test/support/nginx-server.js';
import { RedisClusterServer } from '../test/support/redis-cluster.js';
import { RedisServer } from '../test/support/redis-server.js';
import { Replica } from '../test/support/replica.js';
import {
  NODE_ARGS,
  options,
  REPLICA_ENV,
  replicaSubjects,
  started,
  startScript,
  stopAll,
  subject,
} from './bench-context.js';
import { connects, idle, storm } from './capacity.js';
import type { ConnectResult } from './connects.js';
import { CostMeter, type CostSubject, RunQueueMeter } from './costs.js';
import {
  dropSilkPair,
  peerJsPair,
  rendezvousPair,
  roomMembers,
  socketIoRelayPair,
  wsPair,
  wsRedisPair,
} from './endpoints.js';
import { type Endpoint, offered, type Pair, saturate, settle, sleep } from './load.js';
import { type MemoryRow, report, type Row } from './report.js';

const { pairs: PAIRS, seconds: SECONDS, rate: RATE, windows: WINDOWS, rooms: ROOMS, roomSize: ROOM_SIZE } = options;
const ONLY = options.only;

/**
 * Time of a fixed CPU-bound loop: this VM's speed drifts (the same loop has taken 0.7 to 1.6 s in one minute),
 * so every scenario records it next to its figures. Lower is faster.
 */
function calibrationMs(): number {
  const start = performance.now();
  let accumulator = 0;
  for (let i = 0; i < 50_000_000; i++) accumulator += i % 7;
  if (accumulator < 0) process.stderr.write('');
  return performance.now() - start;
}

/** Reads the aggregate CPU line of /proc/stat: [total ticks, steal ticks]. */
function cpuTicks(): [number, number] {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    return [fields.reduce((sum, value) => sum + value, 0), fields[7] ?? 0];
  } catch {
    return [0, 0];
  }
}
const rows: Row[] = [];

/** What a scenario's messages are charged to: its server processes, and the Redis servers whose commands count. */
interface Costs {
  subjects: CostSubject[];
  redisUrls?: string[];
}

async function pairsOf(makePair: () => Promise<Pair>): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const { a, b } = await makePair();
    endpoints.push(a, b);
  }
  return endpoints;
}

async function measure(scenario: string, open: () => Promise<Endpoint[]>, costs?: Costs): Promise<void> {
  process.stderr.write(`${scenario}: opening clients\n`);
  const endpoints = await open();
  await sleep(500);
  const calibration = calibrationMs();
  const [totalBefore, stealBefore] = cpuTicks();
  // Latency at a fixed load first, on a warmed-up system that is not recovering from an overload.
  await offered(endpoints, RATE, 2);
  settle();
  await sleep(1_000);
  const waits = costs ? new RunQueueMeter(costs.subjects) : undefined;
  waits?.begin();
  const fixed = await offered(endpoints, RATE, SECONDS);
  const fixedWaits = waits?.end();
  process.stderr.write(`  at ${RATE}/s: p50 ${fixed.p50.toFixed(2)} ms p99 ${fixed.p99.toFixed(2)} ms\n`);
  let saturation: Row['saturation'] | null = null;
  const meter = costs ? new CostMeter(costs.subjects, costs.redisUrls) : undefined;
  for (const window of WINDOWS) {
    settle();
    await sleep(500);
    const run = { ...(await saturate(endpoints, SECONDS, window, 1, meter)), window };
    process.stderr.write(`  window ${window}: ${run.perSecond.toFixed(0)}/s p99 ${run.p99.toFixed(2)} ms\n`);
    if (!saturation || run.perSecond > saturation.perSecond) saturation = run;
  }
  meter?.close();
  if (!saturation) throw new Error('no window to sweep');
  for (const endpoint of endpoints) endpoint.close();
  const [totalAfter, stealAfter] = cpuTicks();
  const stealPercent = totalAfter > totalBefore ? ((stealAfter - stealBefore) / (totalAfter - totalBefore)) * 100 : 0;
  rows.push({ scenario, saturation, fixed, stealPercent, calibration, ...(fixedWaits ? { fixedWaits } : {}) });
  await sleep(500);
}

/** Flights (and, for the sharded adapter, multiparty rooms) on two replicas sharing one Redis. */
async function cluster(adapter: 'sharded' | 'classic', flights: boolean, rooms: boolean): Promise<void> {
  const redis = await RedisServer.start();
  started.push(redis);
  const env = { ...REPLICA_ENV, REDIS_URL: redis.url, REDIS_ADAPTER: adapter, ROOM_MAX_MEMBERS: String(ROOM_SIZE) };
  const one = await Replica.start(`bench-${adapter}-1`, env, undefined, NODE_ARGS);
  const two = await Replica.start(`bench-${adapter}-2`, env, undefined, NODE_ARGS);
  started.push(one, two);
  const costs = { subjects: [...replicaSubjects(one, two), ...subject('Redis', redis.pid)], redisUrls: [redis.url] };
  if (flights) {
    await measure(
      `2 replicas + Redis (${adapter} adapter)`,
      () => pairsOf(() => rendezvousPair(one.url, two.url)),
      costs,
    );
  }
  if (rooms) {
    await measure(
      `rooms: ${ROOMS} x ${ROOM_SIZE} members, 2 replicas + Redis (${adapter})`,
      () => roomMembers([one.url, two.url], ROOMS, ROOM_SIZE),
      costs,
    );
  }
  await Promise.all([one.stop(), two.stop()]);
  await redis.stop();
}

/**
 * The cross-replica topology with nothing of ours in it: two bare ws relays passing each message through Redis
 * (SPUBLISH to the peer's channel). Its distance from the single bare ws relay is what the topology costs on
 * these cores (a third and fourth busy process, two more hops); the replicas' distance from it is ours.
 */
async function wsThroughRedis(): Promise<void> {
  const redis = await RedisServer.start();
  started.push(redis);
  const one = await startScript('ws redis relay 1', 'baselines/ws-redis-relay.js', { REDIS_URL: redis.url });
  const two = await startScript('ws redis relay 2', 'baselines/ws-redis-relay.js', { REDIS_URL: redis.url });
  await measure('2 bare ws relays + Redis (topology baseline)', () => pairsOf(() => wsRedisPair(one.port, two.port)), {
    subjects: [
      ...subject('relay A', one.process.child.pid),
      ...subject('relay B', two.process.child.pid),
      ...subject('Redis', redis.pid),
    ],
    redisUrls: [redis.url],
  });
  await Promise.all([one.process.stop(), two.process.stop()]);
  await redis.stop();
}

/** Flights on two replicas sharing a three-master Redis Cluster (all on this machine's two cores). */
async function onRedisCluster(): Promise<void> {
  const redis = await RedisClusterServer.start(3);
  started.push(redis);
  const env = { ...REPLICA_ENV, REDIS_CLUSTER_NODES: redis.nodes };
  const one = await Replica.start('bench-rediscluster-1', env, undefined, NODE_ARGS);
  const two = await Replica.start('bench-rediscluster-2', env, undefined, NODE_ARGS);
  started.push(one, two);
  const costs = {
    subjects: [...replicaSubjects(one, two), ...redis.pids.flatMap((pid, index) => subject(`Redis ${index + 1}`, pid))],
    redisUrls: redis.nodes.split(','),
  };
  await measure('2 replicas + Redis Cluster (3 masters)', () => pairsOf(() => rendezvousPair(one.url, two.url)), costs);
  await Promise.all([one.stop(), two.stop()]);
  await redis.stop();
}

/**
 * The production shape on one machine: nginx (deploy/nginx's proxy settings) in front of N cluster replicas
 * sharing one Redis; every client connects through nginx, which spreads them round robin. The bare ws relay
 * behind the same nginx is the baseline of what the proxy alone costs.
 */
async function behindNginx(): Promise<void> {
  const relay = await startScript('ws relay', 'baselines/ws-relay.js');
  const relayProxy = await NginxServer.start({ upstreams: [`127.0.0.1:${relay.port}`] });
  started.push(relayProxy);
  await measure('bare ws relay via nginx (baseline)', () => pairsOf(() => wsPair(relayProxy.port)));
  await relayProxy.stop();
  await relay.process.stop();
  for (const count of options.nginxReplicas) {
    const redis = await RedisServer.start();
    started.push(redis);
    const env = { ...REPLICA_ENV, REDIS_URL: redis.url };
    const replicas = await Promise.all(
      Array.from({ length: count }, (_, index) => Replica.start(`bench-lb-${index + 1}`, env, undefined, NODE_ARGS)),
    );
    started.push(...replicas);
    const nginx = await NginxServer.start({ upstreams: replicas.map((replica) => `127.0.0.1:${replica.port}`) });
    started.push(nginx);
    await measure(`nginx + ${count} replica${count > 1 ? 's' : ''} + Redis`, () =>
      pairsOf(() => rendezvousPair(nginx.url, nginx.url)),
    );
    await nginx.stop();
    await Promise.all(replicas.map((replica) => replica.stop()));
    await redis.stop();
  }
}

async function bareWs(scenario: string): Promise<void> {
  const relay = await startScript('ws relay', 'baselines/ws-relay.js');
  await measure(scenario, () => pairsOf(() => wsPair(relay.port)), {
    subjects: subject('server', relay.process.child.pid),
  });
  await relay.process.stop();
}

async function main(): Promise<void> {
  const memoryRows: MemoryRow[] = [];
  const connectRows: ConnectResult[] = [];
  if (ONLY.has('ws')) await bareWs('bare ws relay (baseline)');
  if (ONLY.has('socketio')) {
    const relay = await startScript('socket.io relay', 'baselines/socketio-relay.js');
    await measure('bare Socket.IO relay (baseline)', () => pairsOf(() => socketIoRelayPair(relay.port)), {
      subjects: subject('server', relay.process.child.pid),
    });
    await relay.process.stop();
  }
  if (ONLY.has('peerjs')) {
    const server = await startScript('peerjs server', 'baselines/peerjs-server.js');
    await measure('PeerJS server, npm peer 1.0.2 (peer baseline)', () => pairsOf(() => peerJsPair(server.port)), {
      subjects: subject('server', server.process.child.pid),
    });
    await server.process.stop();
  }
  if (ONLY.has('standalone')) {
    const replica = await Replica.start('bench-standalone', REPLICA_ENV, undefined, NODE_ARGS);
    started.push(replica);
    await measure('1 standalone replica', () => pairsOf(() => rendezvousPair(replica.url, replica.url)), {
      subjects: replicaSubjects(replica),
    });
    await replica.stop();
  }
  if (ONLY.has('dropsilk')) {
    // The seeds' own protocol on the same replica: DropSilk's JSON frames over a plain WebSocket, no Socket.IO.
    const replica = await Replica.start('bench-dropsilk', REPLICA_ENV, undefined, NODE_ARGS);
    started.push(replica);
    await measure(
      '1 standalone replica, DropSilk over plain ws',
      () => pairsOf(() => dropSilkPair(replica.url, replica.url)),
      { subjects: replicaSubjects(replica) },
    );
    await replica.stop();
  }
  if (ONLY.has('wsredis')) await wsThroughRedis();
  if (ONLY.has('sharded') || ONLY.has('rooms')) await cluster('sharded', ONLY.has('sharded'), ONLY.has('rooms'));
  if (ONLY.has('classic')) await cluster('classic', true, false);
  if (ONLY.has('rediscluster')) await onRedisCluster();
  if (ONLY.has('nginx')) await behindNginx();
  // This VM's speed drifts within a run: the baseline again at the end, and ratios against the faster of the two.
  if (ONLY.has('ws') && rows.length > 2) await bareWs('bare ws relay (baseline, again at the end)');
  if (ONLY.has('connect')) connectRows.push(...(await connects()));
  if (ONLY.has('storm')) connectRows.push(await storm());
  if (ONLY.has('idle')) memoryRows.push(...(await idle()));
  report(
    { pairs: PAIRS, seconds: SECONDS, rate: RATE, idle: options.idle, windows: WINDOWS },
    rows,
    memoryRows,
    connectRows,
  );
}

const deadline = setTimeout(() => {
  process.stderr.write('bench: 15 minute limit reached, stopping\n');
  void stopAll().then(() => process.exit(1));
}, 15 * 60_000);

main()
  .catch((error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    clearTimeout(deadline);
    await stopAll();
    process.exit();
  });
