import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort } from './ports.js';

/** Debian's PostgreSQL binaries (package postgresql), newest version installed. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')));
  if (!bin)
    throw new Error('PostgreSQL server binaries not found: install the Debian package "postgresql" (.ci/run does)');
  return bin;
}

const RUNNING_AS_ROOT = process.getuid?.() === 0;

function asPostgres(command: string, args: string[]): string {
  // PostgreSQL refuses to run as root: as root, run its tools as the postgres user; otherwise as ourselves.
  if (!RUNNING_AS_ROOT) return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe' });
  return execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', stdio: 'pipe' });
}

/** A throwaway PostgreSQL cluster in a temp dir, on a free loopback port; stopped and removed by `stop()`. */
export class PostgresServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PostgresServer> {
    const bin = postgresBin();
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rv-pg-'));
    chmodSync(dir, 0o700);
    if (RUNNING_AS_ROOT) execFileSync('chown', ['postgres', dir]);
    const server = new PostgresServer(port, dir, bin);
    try {
      asPostgres(join(bin, 'initdb'), [
        '-D',
        join(dir, 'data'),
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--no-sync',
      ]);
      server.launch();
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
    }
    return server;
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A fresh, empty database on this server. */
  createDatabase(name: string): string {
    asPostgres(join(this.bin, 'psql'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-c',
      `CREATE DATABASE "${name}"`,
    ]);
    return this.url(name);
  }

  /** Stops the server but keeps its data, as an outage would; `resume()` starts it again on the same port. */
  async pause(): Promise<void> {
    asPostgres(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-w', '-m', 'fast', 'stop']);
  }

  async resume(): Promise<void> {
    this.launch();
  }

  private launch(): void {
    asPostgres(join(this.bin, 'pg_ctl'), [
      '-D',
      join(this.dir, 'data'),
      '-w',
      '-l',
      join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  async stop(): Promise<void> {
    try {
      asPostgres(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-w', '-m', 'fast', 'stop']);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
