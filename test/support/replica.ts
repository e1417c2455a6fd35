import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, repoRoot } from './ports.js';
import { ManagedProcess } from './processes.js';

const ENTRYPOINT = join(repoRoot(), 'dist/apps/gateway/main.js');

/** Runs the built gateway entrypoint to its exit (for start-up failures), with only `env` and PATH set. */
export function runEntrypoint(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [ENTRYPOINT], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr };
}

/** One gateway replica as a separate process: the built entrypoint, as production runs it. */
export class Replica {
  private constructor(
    readonly id: string,
    readonly port: number,
    readonly process: ManagedProcess,
  ) {}

  static async start(
    id: string,
    env: Record<string, string>,
    port?: number,
    nodeArgs: string[] = [],
  ): Promise<Replica> {
    const chosenPort = port ?? (await freePort());
    const child = ManagedProcess.start(`replica ${id}`, process.execPath, [...nodeArgs, ENTRYPOINT], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(chosenPort),
        REPLICA_ID: id,
        LOG_LEVEL: 'log',
        DATABASE_URL: `file:${join(tmpdir(), `rv-replica-${process.pid}.db`)}`,
        ...env,
      },
    });
    const replica = new Replica(id, chosenPort, child);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (!child.running) throw new Error(`replica ${id} exited during start:\n${child.tail()}`);
      if (Date.now() > deadline) throw new Error(`replica ${id} not live after 20 s:\n${child.tail()}`);
      const live = await fetch(`${replica.url}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (live) return replica;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stats(): Promise<Record<string, any>> {
    return (await (await fetch(`${this.url}/stats`)).json()) as Record<string, any>;
  }

  async readyStatus(): Promise<number> {
    try {
      return (await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(3_000) })).status;
    } catch {
      return 0;
    }
  }

  /** The readiness body and the last lines of output: what a test prints when a replica stays unready. */
  async diagnosis(lines = 30): Promise<string> {
    let body: string;
    try {
      body = await (await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(3_000) })).text();
    } catch (error) {
      body = `no answer: ${(error as Error).message}`;
    }
    return `${this.process.name} /health/ready: ${body}\n${this.process.tail(lines)}`;
  }

  kill(): Promise<number | null> {
    return this.process.stop('SIGKILL');
  }

  stop(): Promise<number | null> {
    return this.process.stop('SIGTERM');
  }
}

/**
 * Waits until every replica answers /health/ready with `status` and returns how long that took; on a timeout
 * the error carries each replica's readiness body and last output lines, which is what tells why.
 */
export async function untilReadiness(
  replicas: readonly Replica[],
  status: 200 | 503,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<number> {
  const started = Date.now();
  const statuses = async () => Promise.all(replicas.map((replica) => replica.readyStatus()));
  const what = status === 200 ? 'every replica ready' : 'every replica not ready';
  try {
    await eventually(async () => (await statuses()).every((code) => code === status), what, timeoutMs, intervalMs);
  } catch (error) {
    const diagnoses = await Promise.all(replicas.map((replica) => replica.diagnosis(60)));
    throw new Error(`${(error as Error).message}\n--- ${diagnoses.join('\n--- ')}`, { cause: error });
  }
  return Date.now() - started;
}
