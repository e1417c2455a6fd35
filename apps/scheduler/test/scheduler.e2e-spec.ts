import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  applyMigrations,
  createDatabaseClient,
  type DatabaseClient,
  findPrismaRoot,
  parseDatabaseUrl,
} from '@rendezvous/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { logLinesOf } from '../../../test/support/log-lines.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';
import { freePort, repoRoot, sleep } from '../../../test/support/ports.js';
import { parsePrometheusText, sampleValue } from '../../../test/support/prometheus.js';
import { PostgresServer } from '../../../test/support/postgres-server.js';
import { ManagedProcess } from '../../../test/support/processes.js';
import { RedisServer } from '../../../test/support/redis-server.js';
import { Replica } from '../../../test/support/replica.js';

const ENTRYPOINT = join(repoRoot(), 'dist/apps/scheduler/main.js');
const INTERVAL_MS = 300;

interface Report {
  job: string;
  tick: number;
  databaseAvailable: boolean;
  found: number;
  deleted: number;
  failed: number;
  pruned: number;
  durationMs: number;
}

const reportsOf = (output: string): Report[] =>
  logLinesOf(output).filter((line): line is Report => typeof line.job === 'string' && 'durationMs' in line);

describe('scheduler: start-up', () => {
  it('refuses to start without REDIS_URL, naming it (exit 78)', () => {
    const result = spawnSync(process.execPath, [ENTRYPOINT], {
      env: { PATH: process.env.PATH, SCHEDULER_PORT: '0', DATABASE_URL: 'file:./data/never-used.db' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/REDIS_URL: the scheduler needs the cluster's Redis/);
  });
});

describe('scheduler: two processes against one Redis and one PostgreSQL', () => {
  let redis: RedisServer;
  let postgres: PostgresServer;
  let databaseUrl: string;
  let db: DatabaseClient;

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
    databaseUrl = postgres.createDatabase('scheduler');
    const target = parseDatabaseUrl(databaseUrl);
    await applyMigrations(target, findPrismaRoot());
    db = createDatabaseClient(target);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await Promise.all([redis?.stop(), postgres?.stop()]);
  });

  const schedulerPorts = new Map<string, number>();
  const startScheduler = async (id: string) => {
    const port = await freePort();
    schedulerPorts.set(id, port);
    return ManagedProcess.start(id, process.execPath, [ENTRYPOINT], {
      env: {
        HOST: '127.0.0.1',
        SCHEDULER_PORT: String(port),
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        NO_COLOR: '1',
        LOG_LEVEL: 'log',
        REPLICA_ID: id,
        REDIS_URL: redis.url,
        DATABASE_URL: databaseUrl,
        ROOM_CLEANUP_INTERVAL_MINUTES: String(INTERVAL_MS / 60_000),
      },
    });
  };
  const schedulerHttp = (id: string, path: string) => fetch(`http://127.0.0.1:${schedulerPorts.get(id)}${path}`);

  const expiredRoom = (code: string) => ({
    code,
    hostParticipantId: `host${code}`,
    hostName: 'Gone',
    expiresAt: new Date(Date.now() - 60_000),
  });

  it('runs every tick exactly once across both, deletes each expired room once, and logs one line per run', async () => {
    await db.transferRoom.createMany({ data: ['EXPAA2', 'EXPAA3', 'EXPAA4'].map(expiredRoom) });
    const schedulers = await Promise.all(['scheduler-a', 'scheduler-b'].map(startScheduler));
    try {
      await Promise.all(schedulers.map((scheduler) => scheduler.waitForOutput(/scheduler .* started/, 20_000)));
      await sleep(INTERVAL_MS * 3);
      await db.transferRoom.createMany({ data: ['EXPBB2', 'EXPBB3'].map(expiredRoom) });
      await sleep(INTERVAL_MS * 6);
      // Each scheduler's metrics count its own runs, and the ticks the other one took as skipped.
      let runs = 0;
      for (const id of ['scheduler-a', 'scheduler-b']) {
        const response = await schedulerHttp(id, '/metrics');
        expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        const samples = parsePrometheusText(await response.text());
        runs += sampleValue(samples, 'rendezvous_job_runs_total', { job: 'room-expiry', result: 'ok' }) ?? 0;
        expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      }
      expect(runs).toBeGreaterThanOrEqual(6);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop('SIGTERM')));
    }
    const all = schedulers.flatMap((scheduler) => reportsOf(scheduler.output));
    const reports = all.filter((report) => report.job === 'room-expiry');
    // Preview cleanup runs hourly: its tick in this window ran once, on one of the two.
    const previewTicks = all.filter((report) => report.job === 'preview-cleanup').map((report) => report.tick);
    expect(previewTicks.length).toBeGreaterThanOrEqual(1);
    expect(new Set(previewTicks).size).toBe(previewTicks.length);
    const ticks = reports.map((report) => report.tick);
    expect(ticks.length, schedulers.map((s) => s.tail(20)).join('\n')).toBeGreaterThanOrEqual(6);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(reports.every((report) => report.databaseAvailable)).toBe(true);
    expect(reports.reduce((sum, report) => sum + report.deleted, 0)).toBe(5);
    expect(await db.transferRoom.count()).toBe(0);
    for (const scheduler of schedulers) expect(scheduler.output).not.toMatch(/ERROR/);
  }, 40_000);

  it('logs a run without its database and recovers on the next one', async () => {
    const scheduler = await startScheduler('scheduler-c');
    try {
      await scheduler.waitForOutput(/"job":"room-expiry"/, 20_000);
      expect((await schedulerHttp('scheduler-c', '/health/ready')).status).toBe(200);
      await postgres.pause();
      await scheduler.waitForOutput(/"databaseAvailable":false/, 15_000);
      // Not ready without its database, yet alive: Kubernetes waits instead of restarting it.
      const notReady = await schedulerHttp('scheduler-c', '/health/ready');
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'not-ready', checks: { redis: 'ok' } });
      expect((await schedulerHttp('scheduler-c', '/health/live')).status).toBe(200);
      const samples = parsePrometheusText(await (await schedulerHttp('scheduler-c', '/metrics')).text());
      expect(
        sampleValue(samples, 'rendezvous_job_runs_total', { job: 'room-expiry', result: 'failed' }),
      ).toBeGreaterThan(0);
      await postgres.resume();
      await db.transferRoom.create({ data: expiredRoom('EXPCC2') });
      await sleep(INTERVAL_MS * 8);
    } finally {
      await scheduler.stop('SIGTERM');
    }
    const reports = reportsOf(scheduler.output).filter((report) => report.job === 'room-expiry');
    const down = reports.findIndex((report) => !report.databaseAvailable);
    expect(down).toBeGreaterThanOrEqual(0);
    expect(reports.slice(down + 1).some((report) => report.databaseAvailable && report.deleted === 1)).toBe(true);
  }, 60_000);

  it('tells the sockets still attached to an expired transfer room, on every replica, and frees them', async () => {
    const env = { REDIS_URL: redis.url, DATABASE_URL: databaseUrl };
    const replicas = await Promise.all([Replica.start('expiry-1', env), Replica.start('expiry-2', env)]);
    const clients: TestClient[] = [];
    const scheduler = await startScheduler('scheduler-d');
    try {
      const { code, hostId, guestId } = await pairedTransferRoom(replicas[0]!.url);
      const host = await TestClient.connect(replicas[0]!.url);
      const guest = await TestClient.connect(replicas[1]!.url);
      clients.push(host, guest);
      await host.request('attach-room', { roomCode: code, participantId: hostId });
      await guest.request('attach-room', { roomCode: code, participantId: guestId });
      await host.next('peer-joined');
      await guest.next('peer-joined');

      await db.transferRoom.update({
        where: { code: code },
        data: { expiresAt: new Date(Date.now() - 1_000) },
      });
      expect(await host.next('room-expired', () => true, 10_000)).toEqual({ roomCode: code });
      expect(await guest.next('room-expired', () => true, 10_000)).toEqual({ roomCode: code });
      expect(await db.transferRoom.count({ where: { code: code } })).toBe(0);
      // Free again: no longer in a flight, and the room cannot be attached any more.
      expect(await host.request('create-flight')).toMatchObject({ ok: true });
      expect(await guest.request('attach-room', { roomCode: code, participantId: guestId })).toMatchObject({
        ok: false,
        error: { code: 'room_not_found' },
      });
    } finally {
      for (const client of clients) client.close();
      await scheduler.stop('SIGTERM');
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  }, 60_000);
});
