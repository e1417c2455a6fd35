import { Redis } from 'ioredis';
import { RedisServer } from '../../../test/support/redis-server.js';
import { createRedisLiveState } from '../src/live-state/index.js';
import { describeLiveStateContract } from './live-state.contract.js';

describeLiveStateContract('redis', async () => {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  return {
    live: createRedisLiveState(redis, 'test:'),
    wipe: async () => {
      await redis.flushall();
    },
    close: async () => {
      redis.disconnect();
      await server.stop();
    },
  };
});
