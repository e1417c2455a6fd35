/**
 * `npm run chaos`: how the cluster behaves when replicas go away under load. Three gateway replicas behind nginx,
 * with Redis, PostgreSQL and the scheduler (the `npm run cluster` topology, from Debian packages), and
 * `--clients` RendezvousClients (default 1,000) paired in flights across replicas, each sending a numbered
 * `signal` every `--interval` ms. Phase 1: one replica is SIGKILLed. Phase 2: all three are restarted one after
 * the other (SIGTERM, drained). For each: the share of the affected clients back in their flight within 5 s,
 * acknowledged messages lost, duplicates handed to the application, and the time to resume (p50/p99).
 * Everything runs on loopback, is bounded in time, and stops what it started, by PID. With CHAOS_LOGS=<file>, what
 * every replica process printed is written there at the end.
 */
import { RendezvousClient } from '@rendezvous/client';
import { sessionKey } from '@rendezvous/cluster';
import { Redis } from 'ioredis';
import { LocalCluster } from '../test/support/local-cluster.js';
import { pairInFlight, SignalTraffic, type TrafficReport } from '../test/support/signal-traffic.js';

const BACK_WITHIN_MS = 5_000;

function option(name: string, fallback: number): number {
  const arg = process.argv.find((each) => each.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let addressCounter = 0;
/** A public address per client (X-Forwarded-For from nginx, trusted): one network each, no presence storm. */
function uniqueAddress(): string {
  addressCounter++;
  return `198.${18 + ((addressCounter >> 16) & 1)}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

interface PhaseResult {
  phase: string;
  affected: number;
  backWithin5s: number;
  backShare: number;
  resumeP50Ms: number;
  resumeP99Ms: number;
  sessionsLost: number;
  peerLeft: number;
  traffic: TrafficReport;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const clientCount = option('clients', 1_000);
  const intervalMs = option('interval', 1_000);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cluster = await LocalCluster.start({
    replicas: 3,
    env: {
      REPLICA_HEARTBEAT_MS: '500',
      REPLICA_TIMEOUT_MS: '2000',
      RECONNECT_GRACE_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: '10000',
      MAX_CONNECTIONS_PER_IP: '100',
    },
    log,
  });
  const observer = new Redis(cluster.redis.url);
  const clients: RendezvousClient[] = [];
  try {
    log(`connecting ${clientCount} clients through nginx...`);
    for (let start = 0; start < clientCount; start += 100) {
      const batch = Array.from({ length: Math.min(100, clientCount - start) }, () => {
        const client = new RendezvousClient(cluster.url, { extraHeaders: { 'x-forwarded-for': uniqueAddress() } });
        clients.push(client);
        return client.ready();
      });
      await Promise.all(batch);
    }
    const replicaOf = async (client: RendezvousClient) =>
      (await observer.hget(sessionKey('rv:', client.session!.id), 'replica')) ?? '';
    const flights = await pairAcross(clients, replicaOf);
    log(`${flights.length} flights across replicas; signalling every ${intervalMs} ms from each client`);

    const results: PhaseResult[] = [];
    results.push(
      await phase('SIGKILL of one replica', flights, intervalMs, clients, replicaOf, async (affected) => {
        await affected(cluster.replicas[0]!.id);
        await cluster.replicas[0]!.kill();
      }),
    );
    await cluster.reviveReplica(0);
    await sleep(3_000);
    results.push(
      await phase('rolling restart of all three', flights, intervalMs, clients, replicaOf, async (affected) => {
        for (let index = 0; index < cluster.replicas.length; index++) {
          await affected(cluster.replicas[index]!.id);
          await cluster.restartReplica(index, 'SIGTERM');
          await sleep(2_000);
        }
      }),
    );
    process.stdout.write(`${JSON.stringify({ clients: clientCount, flights: flights.length, intervalMs, results })}\n`);
    for (const result of results) {
      log(
        `${result.phase}: ${result.backWithin5s}/${result.affected} back in their flight within 5 s ` +
          `(${(result.backShare * 100).toFixed(2)}%), resume p50 ${result.resumeP50Ms} ms p99 ${result.resumeP99Ms} ms; ` +
          `messages sent ${result.traffic.sent}, acknowledged ${result.traffic.acknowledged}, ` +
          `lost ${result.traffic.lost}, duplicates ${result.traffic.duplicates}, out of order ${result.traffic.outOfOrder}, ` +
          `refused ${result.traffic.refused} ${JSON.stringify(result.traffic.refusals)}, ` +
          `sessions lost ${result.sessionsLost}, peer-left ${result.peerLeft}`,
      );
    }
    if (process.env.CHAOS_LOGS) {
      const { writeFileSync } = await import('node:fs');
      const all = [...cluster.retiredOutput, ...cluster.replicas.map((replica) => replica.process.output)];
      writeFileSync(process.env.CHAOS_LOGS, all.join('\n'));
    }
  } finally {
    for (const client of clients) client.close();
    observer.disconnect();
    await cluster.stop();
  }
}

/** Flights whose members sit on different replicas. */
async function pairAcross(
  clients: RendezvousClient[],
  replicaOf: (client: RendezvousClient) => Promise<string>,
): Promise<[RendezvousClient, RendezvousClient][]> {
  const byReplica = new Map<string, RendezvousClient[]>();
  for (const client of clients) {
    const replica = await replicaOf(client);
    byReplica.set(replica, [...(byReplica.get(replica) ?? []), client]);
  }
  const pools = [...byReplica.values()].sort((a, b) => b.length - a.length);
  const pairs: [RendezvousClient, RendezvousClient][] = [];
  // Always take the host from the largest pool and the guest from the next, so replicas mix evenly.
  for (;;) {
    pools.sort((a, b) => b.length - a.length);
    const [first, second] = pools;
    if (!first?.length || !second?.length) break;
    pairs.push([first.pop()!, second.pop()!]);
  }
  for (let start = 0; start < pairs.length; start += 50) {
    await Promise.all(pairs.slice(start, start + 50).map(([host, guest]) => pairInFlight(host, guest)));
  }
  return pairs;
}

/** One client cut off by a disruption, and how long it took to be back in its flight. */
interface Disruption {
  at: number;
  resumedAfter: number | null;
}

/** Runs `disrupt` under steady traffic and measures who came back, how fast, and what the messages went through. */
async function phase(
  name: string,
  flights: [RendezvousClient, RendezvousClient][],
  intervalMs: number,
  clients: RendezvousClient[],
  replicaOf: (client: RendezvousClient) => Promise<string>,
  disrupt: (affected: (replicaId: string) => Promise<void>) => Promise<void>,
): Promise<PhaseResult> {
  const disruptions: Disruption[] = [];
  const open = new Map<RendezvousClient, Disruption>();
  let sessionsLost = 0;
  let peerLeft = 0;
  const stops = clients.flatMap((client) => [
    client.on('resumed', ({ flightCode }) => {
      const disruption = open.get(client);
      if (!disruption || !flightCode) return;
      disruption.resumedAfter = Date.now() - disruption.at;
      open.delete(client);
    }),
    client.on('session-lost', () => void sessionsLost++),
    client.on('peer-left', () => void peerLeft++),
  ]);
  const traffic = new SignalTraffic(flights, intervalMs);
  traffic.start();
  await sleep(3_000);
  // The clients a replica holds right before it goes (a rolling restart moves them from one to the next).
  await disrupt(async (replicaId) => {
    const placement = await Promise.all(clients.map(replicaOf));
    const now = Date.now();
    for (const [index, client] of clients.entries()) {
      if (placement[index] !== replicaId) continue;
      const disruption = { at: now, resumedAfter: null };
      disruptions.push(disruption);
      open.set(client, disruption);
    }
  });
  const deadline = Date.now() + 15_000;
  while (open.size > 0 && Date.now() < deadline) await sleep(100);
  await sleep(3_000);
  const report = await traffic.stop(20_000);
  for (const stop of stops) stop();
  const times = disruptions.map((each) => each.resumedAfter).filter((ms): ms is number => ms !== null);
  const backWithin5s = times.filter((ms) => ms <= BACK_WITHIN_MS).length;
  return {
    phase: name,
    affected: disruptions.length,
    backWithin5s,
    backShare: disruptions.length ? backWithin5s / disruptions.length : 1,
    resumeP50Ms: percentile(times, 50),
    resumeP99Ms: percentile(times, 99),
    sessionsLost,
    peerLeft,
    traffic: report,
  };
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`chaos failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
