import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { ManagedProcess } from './processes.js';
import { repoRoot, sleep } from './ports.js';

const ROOT = repoRoot();

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

interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runPodman(args: string[], timeoutMs: number): Promise<PodmanResult> {
  return new Promise((resolve) => {
    execFile('podman', args, { env: podmanEnv, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** Runs podman and resolves with what it printed; rejects with its output when it fails. */
export async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  const result = await runPodman(args, timeoutMs);
  if (result.code !== 0)
    throw new Error(`podman ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** podman's exit status and all it printed, for a command that may fail on purpose. */
export async function podmanStatus(args: string[], timeoutMs = 60_000): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runPodman(args, timeoutMs);
  return { code, output: `${stdout}\n${stderr}`.trim() };
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

/** The Docker API's `/_ping` on a Unix socket: "OK" once the service answers. */
function ping(socketPath: string): Promise<string | null> {
  return new Promise((resolve) => {
    const request = get({ socketPath, path: '/_ping' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', () => resolve(null));
  });
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
      if ((await ping(socket)) === 'OK') return service;
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
