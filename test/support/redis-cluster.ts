import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { freePort, sleep } from './ports.js';
import { ManagedProcess } from './processes.js';

const run = promisify(execFile);

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free loopback port whose cluster-bus twin (port + 10000) is free too. */
async function nodePort(taken: number[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.includes(port)) continue;
    if (await isFree(port + 10_000)) return port;
  }
  throw new Error('no free port pair (port, port + 10000) for a Redis Cluster node');
}

/**
 * A throwaway Redis Cluster of `masters` redis-server processes (Debian package) on loopback, formed with
 * `redis-cli --cluster create`, no replicas and no persistence. `kill()` + `launch()` restart every node empty:
 * the slot map survives in each node's nodes.conf, the data does not (as a cluster restarted without persistence).
 */
export class RedisClusterServer {
  private processes: ManagedProcess[] = [];
  /** Set once `redis-cli --cluster create` assigned the slots; a relaunch then waits until they are served. */
  private formed = false;
  private readonly dir = mkdtempSync(join(tmpdir(), 'rv-redis-cluster-'));

  private constructor(readonly ports: number[]) {}

  static async start(masters = 3): Promise<RedisClusterServer> {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) ports.push(await nodePort(ports));
    const cluster = new RedisClusterServer(ports);
    await cluster.launch();
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    try {
      await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], {
        timeout: 30_000,
      });
    } catch (error) {
      await cluster.stop();
      throw new Error(`redis-cli --cluster create failed: ${(error as Error).message}`, { cause: error });
    }
    cluster.formed = true;
    await cluster.waitUntilServing();
    return cluster;
  }

  /** REDIS_CLUSTER_NODES for a replica. */
  get nodes(): string {
    return this.ports.map((port) => `redis://127.0.0.1:${port}`).join(',');
  }

  /** The running nodes' PIDs (the bench reads their CPU counters). */
  get pids(): number[] {
    return this.processes.flatMap((node) => (node.child.pid === undefined ? [] : [node.child.pid]));
  }

  connect(): Cluster {
    return new Cluster(this.ports.map((port) => ({ host: '127.0.0.1', port })));
  }

  async launch(): Promise<void> {
    this.processes = this.ports.map((port) => {
      const dir = join(this.dir, String(port));
      mkdirSync(dir, { recursive: true });
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      const cluster = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '2000',
      ];
      return ManagedProcess.start(`redis-cluster-${port}`, 'redis-server', [...args, ...cluster, '--dir', dir]);
    });
    try {
      await Promise.all(this.processes.map((node) => node.waitForOutput(/Ready to accept connections/, 10_000)));
    } catch (error) {
      throw new Error(
        `redis-server (cluster mode) did not start (is the Debian package "redis-server" installed? .ci/run installs it): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    if (this.formed) await this.waitUntilServing();
  }

  /** Every node reports cluster_state:ok and all 16384 slots assigned. */
  async waitUntilServing(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(
        this.ports.map(async (port) => {
          try {
            const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 2_000 });
            return /cluster_state:ok/.test(stdout) && /cluster_slots_assigned:16384/.test(stdout);
          } catch {
            return false;
          }
        }),
      );
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster on ${this.nodes} not serving within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** Empties every master. */
  async flush(): Promise<void> {
    await Promise.all(this.ports.map((port) => run('redis-cli', ['-p', String(port), 'flushall'], { timeout: 5_000 })));
  }

  /** Kills every node (their data is gone, as after a crash without persistence). */
  async kill(): Promise<void> {
    await Promise.all(this.processes.map((node) => node.stop('SIGKILL')));
    this.processes = [];
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((node) => node.stop('SIGTERM')));
    this.processes = [];
    rmSync(this.dir, { recursive: true, force: true });
  }
}
