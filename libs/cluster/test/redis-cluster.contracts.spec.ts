import { Logger } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisClusterServer } from '../../../test/support/redis-cluster.js';
import { RedisConnectionLimiter } from '../src/connection-limiter.js';
import { RedisFlightStories } from '../src/flight-stories.store.js';
import { RedisJobLock } from '../src/job-lock.js';
import { createRedisLiveState } from '../src/live-state/index.js';
import { RedisMultipartyState } from '../src/redis-multiparty.state.js';
import { describeFlightStoriesContract } from './flight-stories.contract.js';
import { describeLiveStateContract } from './live-state.contract.js';
import { describeConnectionLimiterContract, describeJobLockContract } from './locks-and-limits.contract.js';
import { describeMultipartyContract } from './multiparty-state.contract.js';

/*
 * Every Redis contract suite against a real three-master Redis Cluster: each script and MULTI must stay in one
 * slot (a cross-slot one fails with CROSSSLOT), and each must reach the master that serves its slot.
 */
let started: Promise<RedisClusterServer> | null = null;
const clusterServer = () => (started ??= RedisClusterServer.start(3));
const clients: Cluster[] = [];
const connect = async () => {
  const client = (await clusterServer()).connect();
  clients.push(client);
  return client;
};
let prefixes = 0;
const freshPrefix = () => `test${++prefixes}:`;

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await (await started)?.stop();
});

describeLiveStateContract('redis cluster (3 masters)', async () => {
  const redis = await connect();
  return {
    live: createRedisLiveState(redis, 'test:'),
    wipe: async () => (await clusterServer()).flush(),
    close: async () => {},
  };
});

describeMultipartyContract('redis cluster (3 masters)', async () => {
  const [redis, otherConnection] = [await connect(), await connect()];
  return {
    state: new RedisMultipartyState(redis, 'test:'),
    other: new RedisMultipartyState(otherConnection, 'test:'),
    wipe: async () => (await clusterServer()).flush(),
    close: async () => {},
  };
});

describeFlightStoriesContract('redis cluster (3 masters)', async () => ({
  stories: new RedisFlightStories(await connect(), 'test:'),
  close: async () => {},
}));

const logger = new Logger('test');
describeConnectionLimiterContract(
  'redis cluster (3 masters)',
  async (limit) =>
    new RedisConnectionLimiter(await connect(), freshPrefix(), 'replica-a', limit, 10_000, 1_000, logger),
);
describeJobLockContract('redis cluster (3 masters)', async () => new RedisJobLock(await connect(), freshPrefix()));

describe('key spaces on a Redis Cluster', () => {
  it('spreads what can be spread: the live state, multiparty rooms and job locks live on more than one master', async () => {
    const redis = await connect();
    const slotOf = async (key: string) => Number(await redis.cluster('KEYSLOT', key));
    const slots = new Set(
      await Promise.all(
        ['rv:{live}:s:x', 'rv:{mp}:m:x', 'rv:{ipconn}:replicas', 'rv:{job:room-expiry}:running'].map(slotOf),
      ),
    );
    expect(slots.size).toBe(4);
    // The three masters each serve a third of the slots: the four spaces do not all sit on one node.
    const owners = new Set<string>();
    const ranges = (await redis.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    for (const slot of slots) {
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (range) owners.add(`${range[2][0]}:${range[2][1]}`);
    }
    expect(owners.size).toBeGreaterThan(1);
  });
});
