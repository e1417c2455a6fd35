/**
 * What every `npm run bench` scenario shares: the command-line options, the replicas' environment, and the list
 * of processes started so far (stopped on exit, whatever happens).
 */
import { join } from 'node:path';
import { freePort, repoRoot } from '../test/support/ports.js';
import { ManagedProcess } from '../test/support/processes.js';
import type { Replica } from '../test/support/replica.js';
import type { CostSubject } from './costs.js';
import { BENCH_ORIGIN } from './endpoints.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=') as [string, string | undefined];
    return [key, value ?? 'true'];
  }),
);

export const options = {
  pairs: Number(args.pairs ?? 100),
  seconds: Number(args.seconds ?? 4),
  rate: Number(args.rate ?? 5000),
  /** Closed-loop depths (messages in flight per sender) swept to find the saturation throughput. */
  windows: (args.windows ?? '4,8,16,32').split(',').map(Number),
  idle: Number(args.idle ?? 10_000),
  rooms: Number(args.rooms ?? 50),
  roomSize: Number(args['room-size'] ?? 6),
  connects: Number(args.connects ?? 5_000),
  connectConcurrency: Number(args['connect-concurrency'] ?? 100),
  /** Clients in the reconnect storm, spread over two replicas. */
  storm: Number(args.storm ?? 10_000),
  only: new Set(
    (
      args.only ?? 'ws,socketio,peerjs,standalone,dropsilk,wsredis,sharded,rooms,classic,connect,storm,idle,nginx'
    ).split(','),
  ),
  nginxReplicas: (args['nginx-replicas'] ?? '1,2,3').split(',').map(Number),
};

export const REPLICA_ENV: Record<string, string> = {
  TRUSTED_PROXIES: '127.0.0.1',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  ALLOWED_ORIGINS: BENCH_ORIGIN,
  // Bench senders run closed loops far above any real client's rate; the limiter still runs on every event.
  RATE_LIMIT_EVENTS_PER_SECOND: '1000000',
  RATE_LIMIT_BURST: '1000000',
};

/** e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the replicas under load. */
export const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Everything a scenario started; `stopAll` ends what is still running. */
export const started: { stop(): Promise<unknown> }[] = [];

export async function stopAll(): Promise<void> {
  await Promise.allSettled(started.map((item) => item.stop()));
}

/** Starts a built bench script (a baseline server) on a free port and waits until it listens. */
export async function startScript(
  name: string,
  script: string,
  env: Record<string, string> = {},
): Promise<{ port: number; process: ManagedProcess }> {
  const port = await freePort();
  const child = ManagedProcess.start(name, process.execPath, [join(repoRoot(), 'dist/bench', script)], {
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
  });
  started.push(child);
  await child.waitForOutput(/listening on/);
  return { port, process: child };
}

export const subject = (label: string, pid: number | undefined): CostSubject[] =>
  pid === undefined ? [] : [{ label, pid }];

export const replicaSubjects = (...replicas: Replica[]): CostSubject[] =>
  replicas.flatMap((replica, index) =>
    subject(`replica ${String.fromCharCode(65 + index)}`, replica.process.child.pid),
  );
