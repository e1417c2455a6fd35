/**
 * The bench's capacity scenarios, apart from relaying: how fast a replica accepts connections, how two replicas
 * take back 10,000 clients after a restart, and the memory an idle connected client costs.
 */
import { RedisServer } from '../test/support/redis-server.js';
import { Replica, untilReadiness } from '../test/support/replica.js';
import { NODE_ARGS, options, REPLICA_ENV, started, startScript } from './bench-context.js';
import { connectRate, type ConnectResult, reconnectStorm } from './connects.js';
import { dropSilkClient, idleClients, idlePeerJsClients, LeanSocketIoClient, openPeerJs } from './endpoints.js';
import { sleep } from './load.js';
import type { MemoryRow } from './report.js';

/** A lean client that counts as connected once the replica sent `registered`; closed again if it never does. */
async function registeredClient(url: string): Promise<LeanSocketIoClient> {
  const client = await LeanSocketIoClient.connect(url);
  try {
    await client.once('registered');
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

/**
 * Waits until a replica has let go of every client the last phase closed, so the next phase does not measure
 * its connects against thousands of departures (the first DropSilk clients waited about a second behind them).
 */
async function untilNoClients(replica: Replica): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (((await replica.stats()) as { replica: { activeConnections: number } }).replica.activeConnections > 0) {
    if (Date.now() > deadline) throw new Error(`${replica.id} still holds clients 30 s after they closed`);
    await sleep(100);
  }
}

function logConnects(result: ConnectResult): void {
  process.stderr.write(
    `${result.label}: ${result.perSecond.toFixed(0)} connects/s, last after ${result.seconds.toFixed(2)} s, ` +
      `p99 ${result.p99.toFixed(1)} ms, ${result.retries} retried, ${result.failed} failed\n`,
  );
}

/**
 * Accept rate of one replica in cluster mode (Redis, origin check and MAX_CONNECTIONS_PER_IP on, each client from
 * its own address), against the PeerJS server's and a bare Socket.IO server's (what the framework alone costs),
 * with the same number of clients connecting in parallel.
 */
export async function connects(): Promise<ConnectResult[]> {
  const results: ConnectResult[] = [];
  const peerjs = await startScript('peerjs server', 'baselines/peerjs-server.js');
  let peerCount = 0;
  results.push(
    await connectRate(
      'PeerJS server (peer baseline)',
      () => openPeerJs(peerjs.port, `connect-${++peerCount}`),
      options.connects,
      options.connectConcurrency,
    ),
  );
  await peerjs.process.stop();
  const bare = await startScript('socket.io relay', 'baselines/socketio-relay.js');
  results.push(
    await connectRate(
      'bare Socket.IO server (baseline)',
      async () => {
        const client = await LeanSocketIoClient.connect(`http://127.0.0.1:${bare.port}`);
        await client.connected;
        return client;
      },
      options.connects,
      options.connectConcurrency,
    ),
  );
  await bare.process.stop();
  const redis = await RedisServer.start();
  started.push(redis);
  const replica = await Replica.start('bench-connect', { ...REPLICA_ENV, REDIS_URL: redis.url }, undefined, NODE_ARGS);
  started.push(replica);
  results.push(
    await connectRate(
      '1 replica + Redis',
      () => registeredClient(replica.url),
      options.connects,
      options.connectConcurrency,
    ),
  );
  // The same replica through its plain-WebSocket binding (DropSilk's protocol): the core without Socket.IO.
  await untilNoClients(replica);
  results.push(
    await connectRate(
      '1 replica + Redis, DropSilk over plain ws',
      async () => {
        const client = await dropSilkClient(replica.url);
        await client.next('registered');
        return client.socket;
      },
      options.connects,
      options.connectConcurrency,
    ),
  );
  await replica.stop();
  await redis.stop();
  results.forEach(logConnects);
  return results;
}

/**
 * Two replicas + Redis hold `options.storm` registered clients; both are killed (SIGKILL, as a node failure or a
 * crash loop would) and started again on their ports, and once both are ready every client reconnects at the
 * same moment, alternating between the two replicas as before.
 */
export async function storm(): Promise<ConnectResult> {
  const redis = await RedisServer.start();
  started.push(redis);
  const env = { ...REPLICA_ENV, REDIS_URL: redis.url };
  const startBoth = (ports: (number | undefined)[]) =>
    Promise.all(ports.map((port, index) => Replica.start(`bench-storm-${index + 1}`, env, port, NODE_ARGS)));
  const before = await startBoth([undefined, undefined]);
  started.push(...before);
  const urls = before.map((replica) => replica.url);
  const urlOf = (index: number) => urls[index % urls.length] as string;
  process.stderr.write(`reconnect storm: connecting ${options.storm} clients to 2 replicas\n`);
  const clients: LeanSocketIoClient[] = [];
  for (let opened = 0; opened < options.storm; opened += 250) {
    const batch = Math.min(250, options.storm - opened);
    clients.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => registeredClient(urlOf(opened + i))))));
  }
  await Promise.all(before.map((replica) => replica.kill()));
  const after = await startBoth(before.map((replica) => replica.port));
  started.push(...after);
  await untilReadiness(after, 200, 30_000);
  for (const client of clients) client.close();
  let next = 0;
  const result = await reconnectStorm(
    `reconnect storm: ${options.storm} clients, 2 replicas + Redis`,
    () => registeredClient(urlOf(next++)),
    options.storm,
  );
  logConnects(result);
  await Promise.all(after.map((replica) => replica.stop()));
  await redis.stop();
  return result;
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
  process.stderr.write(`${label}: opening ${options.idle} idle clients\n`);
  const clients = await open(options.idle, 250);
  await sleep(5_000);
  const after = await read();
  for (const client of [...warm, ...clients]) client.close();
  const result = {
    label,
    rssPerSocket: (after.rss - before.rss) / options.idle,
    heapPerSocket: (after.heapUsed - before.heapUsed) / options.idle,
  };
  process.stderr.write(
    `  ${(result.rssPerSocket / 1024).toFixed(1)} KB RSS, ${(result.heapPerSocket / 1024).toFixed(1)} KB heap per socket\n`,
  );
  await sleep(1_000);
  return result;
}

const socketIoClients = (url: string, waitEvent: string) => async (count: number, batch: number) =>
  (await idleClients(url, count, batch, waitEvent)).map((socket) => ({ close: () => socket.disconnect() }));

/** Idle memory per socket: a bare Socket.IO server and the PeerJS server as baselines, then a standalone replica. */
export async function idle(): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  const bare = await startScript('bare socket.io', 'baselines/socketio-relay.js');
  const bareUrl = `http://127.0.0.1:${bare.port}`;
  rows.push(
    await idleMemory('bare Socket.IO server (baseline)', `${bareUrl}/stats`, socketIoClients(bareUrl, 'connect')),
  );
  await bare.process.stop();
  const peerjs = await startScript('peerjs server', 'baselines/peerjs-server.js');
  rows.push(
    await idleMemory('PeerJS server (peer baseline)', `http://127.0.0.1:${peerjs.port}/stats`, async (count, batch) =>
      idlePeerJsClients(peerjs.port, count, batch),
    ),
  );
  await peerjs.process.stop();
  const replica = await Replica.start('bench-idle', REPLICA_ENV);
  started.push(replica);
  rows.push(
    await idleMemory('1 standalone replica', `${replica.url}/stats`, socketIoClients(replica.url, 'registered')),
  );
  await replica.stop();
  return rows;
}
