import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NginxServer } from './nginx-server.js';
import { freePort, repoRoot } from './ports.js';
import { PostgresServer } from './postgres-server.js';
import { ManagedProcess } from './processes.js';
import { RedisServer } from './redis-server.js';
import { Replica } from './replica.js';

export interface LocalClusterOptions {
  replicas: number;
  /** nginx's port (default: a free one). */
  port?: number;
  /** Extra settings for every gateway replica and the scheduler. */
  env?: Record<string, string>;
  /** Progress lines ("redis on ..."); silent by default. */
  log?: (line: string) => void;
}

/**
 * The production topology on loopback, from Debian packages: redis-server, PostgreSQL (migrated by the migration
 * entrypoint), N gateway replicas, the scheduler, and nginx in front of the gateways.
 */
export class LocalCluster {
  private constructor(
    readonly redis: RedisServer,
    readonly postgres: PostgresServer,
    readonly databaseUrl: string,
    readonly replicas: Replica[],
    readonly scheduler: ManagedProcess,
    readonly nginx: NginxServer,
    /** What every gateway replica is started with. */
    private readonly replicaEnv: Record<string, string>,
  ) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const log = options.log ?? (() => {});
    const started: { stop(): Promise<unknown> }[] = [];
    try {
      const [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
      started.push(postgres, redis);
      log(`redis-server on ${redis.url}`);
      const databaseUrl = postgres.createDatabase('rendezvous');
      log(`PostgreSQL on 127.0.0.1:${postgres.port}`);
      migrate(databaseUrl);
      log('migrations applied');

      const port = options.port ?? (await freePort());
      const publicUrl = `http://127.0.0.1:${port}`;
      const env = {
        NODE_ENV: 'development',
        REDIS_URL: redis.url,
        DATABASE_URL: databaseUrl,
        PUBLIC_SERVER_URL: publicUrl,
        // nginx on loopback: its X-Forwarded-For is believed.
        TRUSTED_PROXIES: '127.0.0.1',
        ...options.env,
      };
      const replicas = await Promise.all(
        Array.from({ length: options.replicas }, (_, index) => Replica.start(`gateway-${index + 1}`, env)),
      );
      started.push(...replicas);
      for (const replica of replicas) log(`gateway ${replica.id} on ${replica.url}`);

      const schedulerPort = await freePort();
      const scheduler = ManagedProcess.start(
        'scheduler',
        process.execPath,
        [join(repoRoot(), 'dist/apps/scheduler/main.js')],
        {
          env: {
            PATH: process.env.PATH,
            ...env,
            HOST: '127.0.0.1',
            SCHEDULER_PORT: String(schedulerPort),
            REPLICA_ID: 'scheduler',
          },
        },
      );
      started.push({ stop: () => scheduler.stop('SIGTERM') });
      await scheduler.waitForOutput(/scheduler .* started/, 20_000);
      log(`scheduler with /health and /metrics on http://127.0.0.1:${schedulerPort}`);

      const nginx = await NginxServer.start(
        { upstreams: replicas.map((replica) => `127.0.0.1:${replica.port}`) },
        port,
      );
      log(`nginx on ${nginx.url}`);
      return new LocalCluster(redis, postgres, databaseUrl, replicas, scheduler, nginx, env);
    } catch (error) {
      await Promise.allSettled(started.reverse().map((each) => each.stop()));
      throw error;
    }
  }

  /** The load balancer: the demo, the HTTP API and Socket.IO. */
  get url(): string {
    return this.nginx.url;
  }

  /** What replicas that were restarted or revived printed (the newest process of each is in `replicas`). */
  readonly retiredOutput: string[] = [];

  /**
   * Stops replica `index` (SIGTERM drains it; SIGKILL is a crash) and starts a new process in its place, with
   * the same id and port: a rolling restart's step, or a crashed pod coming back.
   */
  async restartReplica(index: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const old = this.replicas[index];
    if (!old) throw new Error(`no replica ${index}`);
    await old.process.stop(signal);
    this.retiredOutput.push(old.process.output);
    this.replicas[index] = await Replica.start(old.id, this.replicaEnv, old.port);
  }

  /** Starts a new process in place of replica `index` if it is not running (after a crash). */
  async reviveReplica(index: number): Promise<void> {
    const old = this.replicas[index];
    if (!old || old.process.running) return;
    this.retiredOutput.push(old.process.output);
    this.replicas[index] = await Replica.start(old.id, this.replicaEnv, old.port);
  }

  /** Stops everything it started, front to back, each by its own PID. */
  async stop(): Promise<void> {
    await this.nginx.stop();
    await Promise.allSettled([...this.replicas.map((replica) => replica.stop()), this.scheduler.stop('SIGTERM')]);
    await this.redis.stop();
    await this.postgres.stop();
  }
}

function migrate(databaseUrl: string): void {
  const result = spawnSync(process.execPath, [join(repoRoot(), 'dist/apps/migrate/main.js')], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`migrations failed: ${result.stderr || result.stdout}`);
}
