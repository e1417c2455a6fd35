import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisServer } from '../../../test/support/redis-server.js';
import { MemoryFlightStories, RedisFlightStories } from '../src/flight-stories.store.js';
import { describeFlightStoriesContract } from './flight-stories.contract.js';

describeFlightStoriesContract('in-memory', async () => ({ stories: new MemoryFlightStories(), close: async () => {} }));

describeFlightStoriesContract('redis', async () => {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  return {
    stories: new RedisFlightStories(redis, 'test:'),
    close: async () => {
      redis.disconnect();
      await server.stop();
    },
  };
});

describe('in-memory flight stories', () => {
  it('forget the stories of flights that expired unjoined (no leak)', async () => {
    let now = 0;
    const stories = new MemoryFlightStories(() => now);
    const creator = { id: 'a', name: 'A', replica: 'r', joinedAt: 0 };
    for (let i = 0; i < 100; i++) await stories.begin(`GONE${i}`, creator, 1_000);
    now = 120_000;
    await stories.begin('FRESH1', creator, 1_000);
    expect(stories.size).toBe(1);
  });
});
