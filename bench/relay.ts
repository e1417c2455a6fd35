/**
 * `npm run bench`: signal relay throughput and latency for a bare `ws` relay (baseline), one standalone
 * replica, and two replicas + Redis with each Socket.IO Redis adapter; multiparty rooms (50 rooms of 6 members
 * over the same two replicas, addressed offer/answer/icecandidate); then idle memory per socket against a bare
 * Socket.IO server. Everything runs on loopback, bounded in time, and stops what it started.
 *
 * Options: --pairs=100 --seconds=4 --rate=5000 --idle=10000 --windows=4,8,16,32 --rooms=50 --room-size=6
 *          --connects=5000 --connect-concurrency=100
 *          --only=ws,socketio,peerjs,standalone,dropsilk,sharded,rediscluster,rooms,classic,connect,idle,nginx
 *          (nginx: --nginx-replicas=1,2,3)
 * Saturation is the highest delivered rate over the swept closed-loop depths (messages in flight per sender).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { freePort, repoRoot } from '../test/support/ports.js';
import { NginxServer } from '../test/support/nginx-server.js';
import { ManagedProcess } from '../test/support/processes.js';
import { RedisClusterServer } from '../test/support/redis-cluster.js';
import { RedisServer } from '../test/support/redis-server.js';
import { Replica } from '../test/support/replica.js';
import { connectRate, type ConnectResult } from './connects.js';
import { CostMeter, type CostSubject } from './costs.js';
import {
  BENCH_ORIGIN,
  dropSilkPair,
  idleClients,
  idlePeerJsClients,
  LeanSocketIoClient,
  openPeerJs,
  peerJsPair,
  rendezvousPair,
  roomMembers,
  socketIoRelayPair,
  wsPair,
} from './endpoints.js';
import { type Endpoint, offered, type Pair, saturate, settle, sleep } from './load.js';
import { type MemoryRow, report, type Row } from './report.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=') as [string, string | undefined];
    return [key, value ?? 'true'];
  }),
);
const PAIRS = Number(args.pairs ?? 100);
const SECONDS = Number(args.seconds ?? 4);
const RATE = Number(args.rate ?? 5000);
/** Closed-loop depths (messages in flight per sender) swept to find the saturation throughput. */
const WINDOWS = (args.windows ?? '4,8,16,32').split(',').map(Number);
const IDLE = Number(args.idle ?? 10_000);
const ROOMS = Number(args.rooms ?? 50);
const CONNECTS = Number(args.connects ?? 5_000);
const CONNECT_CONCURRENCY = Number(args['connect-concurrency'] ?? 100);
const ROOM_SIZE = Number(args['room-size'] ?? 6);
const ONLY = new Set(
  (args.only ?? 'ws,socketio,peerjs,standalone,dropsilk,sharded,rooms,classic,connect,idle,nginx').split(','),
);
const NGINX_REPLICAS = (args['nginx-replicas'] ?? '1,2,3').split(',').map(Number);
const REPLICA_ENV: Record<string, string> = {
  TRUSTED_PROXIES: '127.0.0.1',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  ALLOWED_ORIGINS: BENCH_ORIGIN,
  // Bench senders run closed loops far above any real client's rate; the limiter still runs on every event.
  RATE_LIMIT_EVENTS_PER_SECOND: '1000000',
  RATE_LIMIT_BURST: '1000000',
};
/** e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the replicas under load. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

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
const started: { stop(): Promise<unknown> }[] = [];

function builtScript(name: string): string {
  return join(repoRoot(), 'dist/bench', name);
}

/** What a scenario's messages are charged to: its server processes, and the Redis servers whose commands count. */
interface Costs {
  subjects: CostSubject[];
  redisUrls?: string[];
}

const subject = (label: string, pid: number | undefined): CostSubject[] => (pid === undefined ? [] : [{ label, pid }]);
const replicaSubjects = (...replicas: Replica[]) =>
  replicas.flatMap((replica, index) =>
    subject(`replica ${String.fromCharCode(65 + index)}`, replica.process.child.pid),
  );

async function startScript(name: string, script: string): Promise<{ port: number; process: ManagedProcess }> {
  const port = await freePort();
  const child = ManagedProcess.start(name, process.execPath, [builtScript(script)], {
    env: { PATH: process.env.PATH, PORT: String(port) },
  });
  started.push(child);
  await child.waitForOutput(/listening on/);
  return { port, process: child };
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
  const fixed = await offered(endpoints, RATE, SECONDS);
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
  rows.push({ scenario, saturation, fixed, stealPercent, calibration });
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
  for (const count of NGINX_REPLICAS) {
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

/** Memory a server holds per idle connected client: `open(count, batch)` connects them, `statsUrl` reports it. */
async function idleMemory(
  label: string,
  statsUrl: string,
  open: (count: number, batch: number) => Promise<{ close(): void }[]>,
): Promise<MemoryRow> {
  const read = async () => ((await (await fetch(statsUrl)).json()) as { memory: NodeJS.MemoryUsage }).memory;
  const warm = await open(20, 20);
  await sleep(2_000);
  const before = await read();
  process.stderr.write(`${label}: opening ${IDLE} idle clients\n`);
  const clients = await open(IDLE, 250);
  await sleep(5_000);
  const after = await read();
  for (const client of [...warm, ...clients]) client.close();
  const result = {
    label,
    rssPerSocket: (after.rss - before.rss) / IDLE,
    heapPerSocket: (after.heapUsed - before.heapUsed) / IDLE,
  };
  process.stderr.write(
    `  ${(result.rssPerSocket / 1024).toFixed(1)} KB RSS, ${(result.heapPerSocket / 1024).toFixed(1)} KB heap per socket\n`,
  );
  await sleep(1_000);
  return result;
}

/**
 * Accept rate of one replica in cluster mode (Redis, origin check and MAX_CONNECTIONS_PER_IP on, each client from
 * its own address), against the PeerJS server's, with the same number of clients connecting in parallel.
 */
async function connects(): Promise<ConnectResult[]> {
  const results: ConnectResult[] = [];
  const peerjs = await startScript('peerjs server', 'baselines/peerjs-server.js');
  let peerCount = 0;
  results.push(
    await connectRate(
      'PeerJS server (peer baseline)',
      () => openPeerJs(peerjs.port, `connect-${++peerCount}`),
      CONNECTS,
      CONNECT_CONCURRENCY,
    ),
  );
  await peerjs.process.stop();
  const redis = await RedisServer.start();
  started.push(redis);
  const replica = await Replica.start('bench-connect', { ...REPLICA_ENV, REDIS_URL: redis.url }, undefined, NODE_ARGS);
  started.push(replica);
  const openClient = async () => {
    const client = await LeanSocketIoClient.connect(replica.url);
    await client.once('registered');
    return client;
  };
  results.push(await connectRate('1 replica + Redis', openClient, CONNECTS, CONNECT_CONCURRENCY));
  await replica.stop();
  await redis.stop();
  for (const result of results) {
    process.stderr.write(
      `${result.label}: ${result.perSecond.toFixed(0)} connects/s, p99 ${result.p99.toFixed(1)} ms\n`,
    );
  }
  return results;
}

const socketIoClients = (url: string, waitEvent: string) => async (count: number, batch: number) =>
  (await idleClients(url, count, batch, waitEvent)).map((socket) => ({ close: () => socket.disconnect() }));

async function main(): Promise<void> {
  const memoryRows: MemoryRow[] = [];
  const connectRows: ConnectResult[] = [];
  if (ONLY.has('ws')) {
    const relay = await startScript('ws relay', 'baselines/ws-relay.js');
    await measure('bare ws relay (baseline)', () => pairsOf(() => wsPair(relay.port)), {
      subjects: subject('server', relay.process.child.pid),
    });
    await relay.process.stop();
  }
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
  if (ONLY.has('sharded') || ONLY.has('rooms')) await cluster('sharded', ONLY.has('sharded'), ONLY.has('rooms'));
  if (ONLY.has('classic')) await cluster('classic', true, false);
  if (ONLY.has('rediscluster')) await onRedisCluster();
  if (ONLY.has('nginx')) await behindNginx();
  if (ONLY.has('connect')) connectRows.push(...(await connects()));
  if (ONLY.has('idle')) {
    const bare = await startScript('bare socket.io', 'baselines/socketio-relay.js');
    const bareUrl = `http://127.0.0.1:${bare.port}`;
    memoryRows.push(
      await idleMemory('bare Socket.IO server (baseline)', `${bareUrl}/stats`, socketIoClients(bareUrl, 'connect')),
    );
    await bare.process.stop();
    const peerjs = await startScript('peerjs server', 'baselines/peerjs-server.js');
    memoryRows.push(
      await idleMemory('PeerJS server (peer baseline)', `http://127.0.0.1:${peerjs.port}/stats`, async (count, batch) =>
        idlePeerJsClients(peerjs.port, count, batch),
      ),
    );
    await peerjs.process.stop();
    const replica = await Replica.start('bench-idle', REPLICA_ENV);
    started.push(replica);
    memoryRows.push(
      await idleMemory('1 standalone replica', `${replica.url}/stats`, socketIoClients(replica.url, 'registered')),
    );
    await replica.stop();
  }
  report({ pairs: PAIRS, seconds: SECONDS, rate: RATE, idle: IDLE, windows: WINDOWS }, rows, memoryRows, connectRows);
}

const deadline = setTimeout(() => {
  process.stderr.write('bench: 15 minute limit reached, stopping\n');
  void cleanup().then(() => process.exit(1));
}, 15 * 60_000);

async function cleanup(): Promise<void> {
  await Promise.allSettled(started.map((item) => item.stop()));
}

main()
  .catch((error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    clearTimeout(deadline);
    await cleanup();
    process.exit();
  });
