import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { scratchDir } from './test-config.js';

/** A free TCP port on 127.0.0.1 (bound and released). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A throwaway `redis-server` (the Debian package, or any on the PATH) on a free loopback port, without
 * persistence, in a temporary folder; `stop()` ends it by its PID.
 */
export class RedisProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(command = process.env.REDIS_SERVER_BIN ?? 'redis-server'): Promise<RedisProcess> {
    const port = await freeLoopbackPort();
    const dir = scratchDir('rendezvous-redis-');
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after 10 s: ${output.slice(-500)}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}: ${output.slice(-500)}`));
      });
    });
    try {
      await ready;
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(
        `${command} did not start (${(error as Error).message}); install Redis (Debian: apt-get install ` +
          `redis-server) or pass a Redis URL to the test cluster`,
        { cause: error },
      );
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return new RedisProcess(child, port);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
