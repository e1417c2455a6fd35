import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../../test/support/redis-server.js';
import { MemoryConnectionLimiter, RedisConnectionLimiter } from '../src/connection-limiter.js';
import { MemoryJobLock, RedisJobLock } from '../src/job-lock.js';
import { describeConnectionLimiterContract, describeJobLockContract } from './locks-and-limits.contract.js';

let server: RedisServer;
let redis: Redis;
let prefixes = 0;
const freshPrefix = () => `test${++prefixes}:`;
const logger = new Logger('test');

beforeAll(async () => {
  server = await RedisServer.start();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describeConnectionLimiterContract('in-memory', async (limit) => new MemoryConnectionLimiter(limit));
describeConnectionLimiterContract(
  'redis',
  async (limit) => new RedisConnectionLimiter(redis, freshPrefix(), 'replica-a', limit, 10_000, 1_000, logger),
);
describeJobLockContract('in-memory', async () => new MemoryJobLock());
describeJobLockContract('redis', async () => new RedisJobLock(redis, freshPrefix()));

describe('RedisConnectionLimiter across replicas', () => {
  it('sums the counts of live replicas, and stops counting a replica that no longer renews its counts', async () => {
    const prefix = freshPrefix();
    const one = new RedisConnectionLimiter(redis, prefix, 'replica-1', 2, 300, 100, logger);
    const two = new RedisConnectionLimiter(redis, prefix, 'replica-2', 2, 300, 100, logger);
    try {
      expect(await one.acquire('198.51.100.1')).toBe(true);
      expect(await two.acquire('198.51.100.1')).toBe(true);
      expect(await two.acquire('198.51.100.1')).toBe(false);
      one.stop();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await two.acquire('198.51.100.1')).toBe(true);
    } finally {
      one.stop();
      two.stop();
    }
  });
});
