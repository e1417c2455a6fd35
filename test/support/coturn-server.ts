import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { ManagedProcess } from './processes.js';

/**
 * A throwaway coturn (Debian package `coturn`) on loopback with `use-auth-secret`: it accepts TURN REST
 * credentials minted with `secret`, relays on 127.0.0.1, and keeps its database in a temp dir.
 */
export class CoturnServer {
  private constructor(
    readonly port: number,
    readonly secret: string,
    readonly realm: string,
    private readonly process: ManagedProcess,
    private readonly dir: string,
    readonly address: string,
  ) {}

  static async start(secret: string, realm = 'rendezvous.test', address = '127.0.0.1'): Promise<CoturnServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rv-coturn-'));
    const minPort = 40_000 + Math.floor(Math.random() * 20_000);
    const args = [
      '-n',
      `--listening-ip=${address}`,
      `--relay-ip=${address}`,
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + 200}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      `--realm=${realm}`,
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-multicast-peers',
      '--allow-loopback-peers',
      `--db=${join(dir, 'turndb')}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
    ];
    const child = ManagedProcess.start('turnserver', 'turnserver', args);
    try {
      await child.waitForOutput(/(UDP|udp).*listener opened on|Total UDP servers/, 10_000);
    } catch (error) {
      await child.stop('SIGKILL');
      throw new Error(
        `turnserver did not start (is the Debian package "coturn" installed? .ci/run installs it): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    return new CoturnServer(port, secret, realm, child, dir, address);
  }

  get url(): string {
    return `turn:${this.address}:${this.port}?transport=udp`;
  }

  log(): string {
    return this.process.tail(60);
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
