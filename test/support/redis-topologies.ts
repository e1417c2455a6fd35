import { RedisClusterServer } from './redis-cluster.js';
import { RedisServer } from './redis-server.js';

/** A throwaway Redis of either topology, as a replica's environment sees it. */
export interface RedisUnderTest {
  /** REDIS_URL or REDIS_CLUSTER_NODES. */
  readonly env: Record<string, string>;
  /** Kills every Redis process; `launch()` brings them back empty. */
  kill(): Promise<void>;
  launch(): Promise<void>;
  stop(): Promise<void>;
}

/** The cluster e2e suites run once per topology: one redis-server, and a three-master Redis Cluster. */
export const REDIS_TOPOLOGIES: { name: string; start(): Promise<RedisUnderTest> }[] = [
  {
    name: 'one redis-server',
    start: async () => {
      const server = await RedisServer.start();
      return Object.assign(server, { env: { REDIS_URL: server.url } });
    },
  },
  {
    name: 'a three-master Redis Cluster',
    start: async () => {
      const cluster = await RedisClusterServer.start(3);
      return Object.assign(cluster, { env: { REDIS_CLUSTER_NODES: cluster.nodes } });
    },
  },
];
