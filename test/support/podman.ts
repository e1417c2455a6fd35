import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManagedProcess } from './processes.js';
import { repoRoot, sleep } from './ports.js';

const ROOT = repoRoot();
const run = promisify(execFile);

/**
 * podman as the CI machine needs it (runc, explicit rlimits: deploy/podman/containers.conf), for every podman
 * command and for the Docker-compatible service docker-compose talks to.
 */
export const podmanEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CONTAINERS_CONF: join(ROOT, 'deploy/podman/containers.conf'),
};

export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The tag docker-compose.yml names (rendezvous:${RENDEZVOUS_VERSION}); podman keeps it as localhost/…. */
export const IMAGE = `localhost/rendezvous:${VERSION}`;

/** Runs podman; rejects with its output when it fails. */
export async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await run('podman', args, { env: podmanEnv, timeout: timeoutMs, maxBuffer: 64 << 20 });
    return stdout.trim();
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `podman ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

/** podman's exit status for a command that may fail on purpose. */
export async function podmanStatus(args: string[]): Promise<{ code: number; output: string }> {
  try {
    return { code: 0, output: await podman(args) };
  } catch (error) {
    const match = /Command failed.*\n?/.exec((error as Error).message);
    const code = Number(/code (\d+)/.exec((error as Error).message)?.[1] ?? 1);
    return { code, output: (error as Error).message.slice(match?.index ?? 0) };
  }
}

function runQuietly(command: string, args: string[], timeoutMs: number): string {
  const result = spawnSync(command, args, {
    env: podmanEnv,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${`${result.stdout}${result.stderr}`.slice(-6000)}`,
    );
  return result.stdout;
}

export interface BaseImages {
  NODE_IMAGE: string;
  RUNTIME_IMAGE: string;
  REDIS_IMAGE: string;
  POSTGRES_IMAGE: string;
  NGINX_IMAGE: string;
}

/**
 * The locally made bases (tools/make-base-images.sh: Debian minbase from mmdebstrap, Node.js from the npm
 * registry, and Redis, PostgreSQL and nginx from Debian's packages), then the project's Dockerfile on them, tagged
 * as docker-compose.yml expects. Layers and bases are cached by podman between runs.
 */
export function buildImages(): BaseImages {
  const printed = runQuietly(join(ROOT, 'tools/make-base-images.sh'), ['--services'], 15 * 60_000);
  const bases = Object.fromEntries(
    printed
      .trim()
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  ) as unknown as BaseImages;
  // Quiet unless it fails: the build's own npm and Prisma output is noise in a passing run.
  runQuietly(
    'podman',
    [
      'build',
      '--quiet',
      '--network',
      'host',
      // OCI images have no HEALTHCHECK: the Docker format keeps it.
      '--format',
      'docker',
      '--build-arg',
      `NODE_IMAGE=${bases.NODE_IMAGE}`,
      '--build-arg',
      `RUNTIME_IMAGE=${bases.RUNTIME_IMAGE}`,
      // The npm registry is reached through this machine's egress proxy, whose CA is in the machine's bundle.
      '--volume',
      '/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro',
      '--tag',
      IMAGE,
      ROOT,
    ],
    20 * 60_000,
  );
  // Each build leaves its build stage untagged; those of the last day stay as the next build's cache.
  runQuietly('podman', ['image', 'prune', '--force', '--filter', 'until=24h'], 5 * 60_000);
  return bases;
}

/** Removes the containers, volumes and networks whose names start with `prefix` (this test's own). */
export async function removeByPrefix(prefix: string): Promise<void> {
  const names = (await podman(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter((n) => n.startsWith(prefix));
  if (names.length) await podman(['rm', '-f', '-t', '2', ...names]);
  const volumes = (await podman(['volume', 'ls', '--format', '{{.Name}}']))
    .split('\n')
    .filter((n) => n.startsWith(prefix));
  if (volumes.length) await podman(['volume', 'rm', '-f', ...volumes]);
  const networks = (await podman(['network', 'ls', '--format', '{{.Name}}']))
    .split('\n')
    .filter((n) => n.startsWith(prefix));
  if (networks.length) await podman(['network', 'rm', '-f', ...networks]);
}

/**
 * podman's Docker-compatible API on a socket of our own, for docker-compose (podman-compose 1.0.3, Debian's, has
 * no `depends_on` conditions; docker-compose 1.29 waits for healthy and completed services as Docker does).
 */
export class PodmanService {
  private constructor(
    private readonly process: ManagedProcess,
    private readonly dir: string,
    readonly dockerHost: string,
  ) {}

  static async start(): Promise<PodmanService> {
    const dir = mkdtempSync(join(tmpdir(), 'rv-podman-'));
    const socket = join(dir, 'podman.sock');
    const process = ManagedProcess.start(
      'podman system service',
      'podman',
      ['system', 'service', '--time=0', `unix://${socket}`],
      {
        env: podmanEnv,
      },
    );
    const service = new PodmanService(process, dir, `unix://${socket}`);
    for (let attempt = 0; attempt < 100; attempt++) {
      const ping = await run('curl', ['-s', '--unix-socket', socket, 'http://d/_ping']).catch(() => null);
      if (ping?.stdout === 'OK') return service;
      await sleep(100);
    }
    await service.stop();
    throw new Error(`podman system service did not answer on ${socket}:\n${process.output}`);
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs the HEALTHCHECK of every running container whose name starts with `prefix`, every `intervalMs`. podman
 * schedules healthchecks with systemd timers, and this machine has no systemd: without this, no container would
 * ever turn healthy and docker-compose would wait for ever on `condition: service_healthy`.
 */
export class HealthcheckTicker {
  private running = true;
  private readonly loop: Promise<void>;

  constructor(prefix: string, intervalMs = 2_000) {
    this.loop = (async () => {
      while (this.running) {
        const names = (await podman(['ps', '--format', '{{.Names}}']).catch(() => ''))
          .split('\n')
          .filter((name) => name.startsWith(prefix));
        await Promise.all(names.map((name) => podmanStatus(['healthcheck', 'run', name])));
        await sleep(intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
