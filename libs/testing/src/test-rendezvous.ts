import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import {
  RENDEZVOUS_CONFIG,
  type RendezvousConfigOverrides,
  mergeOverrides,
  type RendezvousModuleShape,
  RendezvousModule,
} from '@rendezvous/server';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RedisProcess } from './redis-process.js';
import { TestClient, type TestClientOptions } from './test-client.js';
import { rendezvousTestConfig } from './test-config.js';

export interface TestRendezvousOptions {
  /** Replicas, each a Nest application in this process on its own loopback port (default 1). */
  replicas?: number;
  /**
   * Where the live state is: `memory` (one replica only), `redis` (a throwaway redis-server started and stopped
   * with the cluster; needs `redis-server` on the PATH), or a Redis URL of your own. Default: memory for one
   * replica, redis for more.
   */
  liveState?: 'memory' | 'redis' | { redisUrl: string };
  /** Configuration over the test defaults (rendezvousTestConfig). */
  config?: RendezvousConfigOverrides;
  socketIoPath?: string;
  http?: RendezvousModuleShape['http'];
}

/** Listens on an ephemeral loopback port and resolves with the application's base URL. */
export async function listenOnLoopback(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/**
 * A Nest testing module of the application's own modules (`metadata`), with Rendezvous' configuration replaced by
 * a test one (rendezvousTestConfig: standalone, temporary SQLite, fake ICE servers) wherever RendezvousModule
 * is imported in them. Compile it, create the application, `listenOnLoopback(app)`, and connect TestClients.
 */
export function createRendezvousTestingModule(
  metadata: ModuleMetadata,
  config: RendezvousConfigOverrides = {},
): TestingModuleBuilder {
  return Test.createTestingModule(metadata).overrideProvider(RENDEZVOUS_CONFIG).useValue(rendezvousTestConfig(config));
}

/**
 * Rendezvous for a test suite: one or more replicas in this process (sharing a throwaway Redis when there are
 * several), clients that connect to any of them, and a `close()` that ends every client, replica and Redis it
 * started, leaving no handle open.
 */
export class TestRendezvous {
  private readonly clients = new Set<TestClient>();
  private next = 0;

  private constructor(
    readonly apps: INestApplication[],
    /** Each replica's base URL (`http://127.0.0.1:<port>`). */
    readonly urls: string[],
    private readonly socketIoPath: string | undefined,
    private readonly redis: RedisProcess | null,
  ) {}

  /** The first replica's base URL. */
  get url(): string {
    return this.urls[0] as string;
  }

  static async start(options: TestRendezvousOptions = {}): Promise<TestRendezvous> {
    const replicas = options.replicas ?? 1;
    const liveState = options.liveState ?? (replicas > 1 ? 'redis' : 'memory');
    if (liveState === 'memory' && replicas > 1) {
      throw new Error('Replicas share their live state through Redis: use liveState "redis" for more than one');
    }
    const redis = liveState === 'redis' ? await RedisProcess.start() : null;
    const redisUrl = redis?.url ?? (typeof liveState === 'object' ? liveState.redisUrl : null);
    // One database for the cluster, as in production; each cluster its own Redis keys.
    const liveStateConfig: RendezvousConfigOverrides = redisUrl
      ? { redis: { url: redisUrl, keyPrefix: `rvtest:${randomBytes(4).toString('hex')}:` } }
      : {};
    const config = rendezvousTestConfig(mergeOverrides(liveStateConfig, options.config));
    const apps: INestApplication[] = [];
    const urls: string[] = [];
    try {
      for (let index = 0; index < replicas; index++) {
        const replicaConfig = { ...config, cluster: { ...config.cluster, replicaId: `test-replica-${index + 1}` } };
        const module = RendezvousModule.forRoot({
          config: replicaConfig,
          ...(options.http !== undefined ? { http: options.http } : {}),
          ...(options.socketIoPath !== undefined ? { socketIoPath: options.socketIoPath } : {}),
        });
        const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
        const app = moduleRef.createNestApplication({ logger: ['error'] });
        apps.push(app);
        urls.push(await listenOnLoopback(app));
      }
    } catch (error) {
      await Promise.allSettled(apps.map((app) => app.close()));
      await redis?.stop();
      throw error;
    }
    return new TestRendezvous(apps, urls, options.socketIoPath, redis);
  }

  /** A registered client on replica `replica` (default: the replicas in turn). */
  async connect(
    options: TestClientOptions & { replica?: number } = {},
  ): Promise<TestClient & { id: string; name: string }> {
    const { replica, ...clientOptions } = options;
    const index = replica ?? this.next++ % this.urls.length;
    const url = this.urls[index];
    if (url === undefined) throw new Error(`No replica ${index} (the cluster has ${this.urls.length})`);
    const path = clientOptions.path ?? (this.socketIoPath ? this.socketIoPath : undefined);
    const client = await TestClient.connect(url, { ...clientOptions, ...(path ? { path } : {}) });
    this.clients.add(client);
    return client;
  }

  /** Ends every client, then every replica, then the Redis it started. */
  async close(): Promise<void> {
    for (const client of this.clients) client.close();
    this.clients.clear();
    await Promise.allSettled(this.apps.map((app) => app.close()));
    await this.redis?.stop();
  }
}
