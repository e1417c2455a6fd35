import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sessionKey } from '@rendezvous/cluster';
import { TestClient } from '@rendezvous/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BaseImages,
  buildImages,
  HealthcheckTicker,
  IMAGE,
  podman,
  podmanEnv,
  PodmanService,
  podmanStatus,
  removeByPrefix,
} from '../support/podman.js';
import { eventually, freePort, repoRoot } from '../support/ports.js';

const execFileAsync = promisify(execFile);
const MB = 1024 * 1024;

/** Our own names only: every container, volume and network this file makes starts with it. */
const NAMESPACE = 'rvimage';
const PREFIX = `${NAMESPACE}${process.pid}`;

async function untilReady(url: string): Promise<void> {
  await eventually(
    async () => (await fetch(`${url}/health/ready`).catch(() => null))?.status === 200,
    `${url}/health/ready to answer 200`,
    60_000,
  );
}

const nodeVersion = async () =>
  (await execFileAsync(join(repoRoot(), 'tools/node.sh'), ['--print-version'])).stdout.trim();

const inspect = (name: string, format: string) => podman(['inspect', '--format', format, name]);

/** A client as a browser on the server's own page (/demo) is one: NODE_ENV=production refuses sockets without an Origin. */
const connectAsPage = (url: string) => TestClient.connect(url, { headers: { origin: url } });

describe('the image, built by podman from locally made bases', () => {
  let bases: BaseImages;

  beforeAll(async () => {
    // Also what an earlier run of this file left when it was killed (compose's fixed subnet can exist only once).
    await removeByPrefix(NAMESPACE);
    bases = buildImages();
  }, 30 * 60_000);
  afterAll(() => removeByPrefix(PREFIX), 120_000);

  it('is small, and its runtime has no npm, compilers, prisma CLI or TypeScript', async () => {
    const size = Number(await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
    process.stdout.write(`image ${IMAGE}: ${(size / MB).toFixed(0)} MB\n`);
    expect(size).toBeLessThan(450 * MB);
    const found = await podman([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'for tool in npm npx gcc g++ make python3; do command -v $tool; done; ls -d node_modules/prisma node_modules/typescript node_modules/@prisma/engines 2>/dev/null; node --version',
    ]);
    // Only the Node.js CI runs on (tools/node.sh) answers: no build tool, no dev-only package.
    expect(found).toBe(`v${await nodeVersion()}`);
  });

  it('runs the gateway by default (docker run -p 8080:8080 image): /demo, non-root, HEALTHCHECK, SIGTERM drain', async () => {
    const port = await freePort();
    const name = `${PREFIX}-standalone`;
    await podman(['run', '--detach', '--name', name, '--publish', `127.0.0.1:${port}:8080`, IMAGE]);
    const url = `http://127.0.0.1:${port}`;
    await untilReady(url);
    const demo = await fetch(`${url}/demo`);
    expect(demo.status).toBe(200);
    expect(await demo.text()).toContain('<html');
    expect(await (await fetch(`${url}/health/ready`)).json()).toMatchObject({ status: 'ready', mode: 'standalone' });

    expect(await inspect(name, '{{.Config.User}}')).toBe('node');
    expect(await podman(['exec', name, 'id', '-u'])).toBe('1000');
    expect(await podman(['exec', name, 'id', '-u', '-n'])).toBe('node');
    // The image's own HEALTHCHECK (kept by the Docker format), run as the engine runs it.
    expect(await inspect(name, '{{json .Config.Healthcheck.Test}}')).toContain('/health/live');
    expect(await podmanStatus(['healthcheck', 'run', name])).toMatchObject({ code: 0 });

    // A flight in progress when the container is stopped: its clients are told, and the process exits by itself.
    const host = await connectAsPage(url);
    const guest = await connectAsPage(url);
    await TestClient.pairInFlight(host, guest);
    const started = Date.now();
    const told = host.waitFor('server-shutdown', () => true, 15_000);
    await podman(['stop', '--time', '20', name], 30_000);
    expect(await told).toEqual({ message: 'Server is shutting down for maintenance.' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await inspect(name, '{{.State.ExitCode}}')).toBe('0');
    expect(await podman(['logs', name])).toMatch(/drain/i);
    host.socket.close();
    guest.socket.close();
  }, 120_000);

  it('runs on a read-only root filesystem with only the data volume writable, and migrates from the same image', async () => {
    const volume = `${PREFIX}-data`;
    const migrate = await podman(
      ['run', '--rm', '--read-only', '--volume', `${volume}:/app/data`, IMAGE, 'node', 'dist/apps/migrate/main.js'],
      60_000,
    );
    expect(migrate).toMatch(/migration/i);

    const port = await freePort();
    const name = `${PREFIX}-readonly`;
    await podman([
      'run',
      '--detach',
      '--read-only',
      '--name',
      name,
      '--volume',
      `${volume}:/app/data`,
      '--publish',
      `127.0.0.1:${port}:8080`,
      IMAGE,
    ]);
    const url = `http://127.0.0.1:${port}`;
    await untilReady(url);
    const member = await connectAsPage(url);
    expect(await member.joinRoom('read-only-room')).toMatchObject({ roomId: 'read-only-room' });
    member.socket.close();

    expect(await podman(['exec', name, 'ls', '/app/data'])).toContain('rendezvous.db');
    expect(await podmanStatus(['exec', name, 'touch', '/app/data/probe'])).toMatchObject({ code: 0 });
    for (const path of ['/app/probe', '/app/dist/probe', '/usr/local/bin/probe']) {
      const attempt = await podmanStatus(['exec', name, 'touch', path]);
      expect(attempt.code).not.toBe(0);
      expect(attempt.output).toContain('Read-only file system');
    }
  }, 120_000);

  describe('docker-compose.yml, brought up by docker-compose on podman', () => {
    const project = `${PREFIX}compose`;
    let service: PodmanService;
    let ticker: HealthcheckTicker;
    let env: NodeJS.ProcessEnv;
    let url: string;

    const compose = (args: string[], timeoutMs: number) =>
      execFileAsync('docker-compose', ['--project-name', project, ...args], {
        cwd: repoRoot(),
        env,
        timeout: timeoutMs,
      });

    beforeAll(async () => {
      service = await PodmanService.start();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      env = {
        ...podmanEnv,
        DOCKER_HOST: service.dockerHost,
        POSTGRES_PASSWORD: 'compose-test-password',
        RENDEZVOUS_PORT: String(port),
        PUBLIC_SERVER_URL: url,
        ALLOWED_ORIGINS: url,
        REDIS_IMAGE: bases.REDIS_IMAGE,
        POSTGRES_IMAGE: bases.POSTGRES_IMAGE,
        NGINX_IMAGE: bases.NGINX_IMAGE,
      };
      ticker = new HealthcheckTicker(project);
      try {
        await compose(['up', '--detach', '--no-build'], 240_000);
      } catch (error) {
        const states = await podman(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
        throw new Error(`docker-compose up failed: ${(error as Error).message}\n${states}`, { cause: error });
      }
    }, 300_000);
    afterAll(async () => {
      await compose(['down', '--volumes', '--timeout', '5'], 120_000).catch(() => undefined);
      await ticker?.stop();
      await service?.stop();
    }, 180_000);

    const container = (name: string) => `${project}_${name}_1`;

    it('ran the migration once to completion, every service is healthy, and the scheduler runs its jobs', async () => {
      expect(await inspect(container('migrate'), '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 0');
      for (const name of ['redis', 'postgres', 'gateway-1', 'gateway-2', 'scheduler'])
        expect(`${name}: ${await inspect(container(name), '{{.State.Health.Status}}')}`).toBe(`${name}: healthy`);
      expect(await (await fetch(`${url}/health/ready`)).json()).toMatchObject({
        status: 'ready',
        mode: 'cluster',
        checks: { redis: 'ok', database: 'ok' },
      });
      // The scheduler command runs the cleanup jobs against the compose PostgreSQL (each runs once at start).
      const metrics = () =>
        podman([
          'exec',
          container('scheduler'),
          'node',
          '-e',
          "fetch('http://127.0.0.1:8081/metrics').then(async(r)=>process.stdout.write(await r.text()))",
        ]);
      await eventually(
        async () => /rendezvous_job_runs_total\{job="room-expiry",result="ok"\} [1-9]/.test(await metrics()),
        'the scheduler to report a room-expiry run',
        30_000,
      );
    }, 60_000);

    it('passes a flight between clients on the two gateways, through nginx', async () => {
      const replicaOf = async (client: { id: string }) =>
        podman(['exec', container('redis'), 'redis-cli', 'hget', sessionKey('rv:', client.id), 'replica']);
      const host = await connectAsPage(url);
      const hostReplica = await replicaOf(host);
      expect(['gateway-1', 'gateway-2']).toContain(hostReplica);
      const others: TestClient[] = [];
      let guest: (TestClient & { id: string }) | null = null;
      for (let attempt = 0; attempt < 8 && !guest; attempt++) {
        const candidate = await connectAsPage(url);
        others.push(candidate);
        if ((await replicaOf(candidate)) !== hostReplica) guest = candidate;
      }
      expect(guest, 'nginx to send a client to the other gateway').not.toBeNull();
      await TestClient.pairInFlight(host, guest!);
      const offer = { type: 'offer', sdp: 'v=0 across the compose network' };
      const received = guest!.waitFor('signal');
      expect(await host.signal(offer)).toMatchObject({ ok: true });
      expect(await received).toMatchObject({ from: host.id, data: offer });
      for (const client of [host, ...others]) client.socket.close();
    }, 60_000);
  });
});
