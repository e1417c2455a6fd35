import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { ManagedProcess } from './processes.js';

/** A throwaway redis-server from the Debian package, on a free loopback port, in its own temp dir. */
export class RedisServer {
  private process: ManagedProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'rv-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The server's PID while it runs (the bench reads its CPU counters). */
  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.process = ManagedProcess.start('redis-server', 'redis-server', [...args, '--dir', this.dir]);
    try {
      await this.process.waitForOutput(/Ready to accept connections/, 10_000);
    } catch (error) {
      throw new Error(
        `redis-server did not start (is the Debian package "redis-server" installed? .ci/run installs it): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
  }

  /** Freezes the server for `ms` (SIGSTOP, then SIGCONT): connections stay open, nothing is answered. */
  async freeze(ms: number): Promise<void> {
    this.process?.freeze();
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.process?.thaw();
  }

  /** Kills the server (its data is gone, as after a crash without persistence). */
  async kill(): Promise<void> {
    await this.process?.stop('SIGKILL');
    this.process = null;
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
    this.process = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
