import { Redis } from 'ioredis';
import { RedisServer } from '../../../test/support/redis-server.js';
import { RedisLiveStateStore } from '../src/redis-live-state.store.js';
import { describeLiveStateContract } from './live-state.contract.js';

describeLiveStateContract('redis', async () => {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  return {
    store: new RedisLiveStateStore(redis, 'test:'),
    wipe: async () => {
      await redis.flushall();
    },
    close: async () => {
      redis.disconnect();
      await server.stop();
    },
  };
});
