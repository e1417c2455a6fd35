import { Redis } from 'ioredis';
import { RedisServer } from '../../../test/support/redis-server.js';
import { RedisMultipartyState } from '../src/redis-multiparty.state.js';
import { describeMultipartyContract } from './multiparty-state.contract.js';

describeMultipartyContract('redis', async () => {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  const otherConnection = new Redis(server.url);
  return {
    state: new RedisMultipartyState(redis, 'test:'),
    other: new RedisMultipartyState(otherConnection, 'test:'),
    wipe: async () => {
      await redis.flushall();
    },
    close: async () => {
      redis.disconnect();
      otherConnection.disconnect();
      await server.stop();
    },
  };
});
