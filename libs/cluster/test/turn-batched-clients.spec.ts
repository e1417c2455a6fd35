import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../../../test/support/redis-server.js';
import { TurnBatchedRedis } from '../src/turn-batched-clients.js';

/** Counts the writes that reach a socket's handle (one system call each). */
function countWrites(socket: Socket): () => number {
  const internals = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = internals[method].bind(socket);
    internals[method] = (...args: unknown[]) => {
      writes++;
      original(...args);
    };
  }
  return () => writes;
}

describe('TurnBatchedRedis on a real redis-server', () => {
  let server: RedisServer;
  let redis: TurnBatchedRedis;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new TurnBatchedRedis(server.url);
    await redis.ping();
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('sends the commands of one turn in one write, and every reply reaches its command', async () => {
    const writes = countWrites(redis.stream as Socket);
    const replies = await Promise.all([
      redis.set('batched:a', '1'),
      redis.incr('batched:counter'),
      redis.multi().incr('batched:counter').get('batched:a').exec(),
      redis.eval('return ARGV[1]', 0, 'scripted'),
    ]);
    expect(writes()).toBe(1);
    expect(replies).toEqual([
      'OK',
      1,
      [
        [null, 2],
        [null, '1'],
      ],
      'scripted',
    ]);
  });

  it('sends a command issued in a later turn without waiting for more', async () => {
    const writes = countWrites(redis.stream as Socket);
    expect(await redis.get('batched:a')).toBe('1');
    expect(await redis.get('batched:counter')).toBe('2');
    expect(writes()).toBe(2);
  });
});
