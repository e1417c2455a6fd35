import { describe, expect, it } from 'vitest';
import type { ConnectionLimiter } from '../src/connection-limiter.js';
import type { JobLock } from '../src/job-lock.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One behaviour for both connection limiters (MAX_CONNECTIONS_PER_IP): in memory and in Redis. */
export function describeConnectionLimiterContract(name: string, create: (limit: number) => Promise<ConnectionLimiter>) {
  describe(`ConnectionLimiter contract: ${name}`, () => {
    it('gives an address `limit` slots, refuses one more, and frees a slot on release', async () => {
      const limiter = await create(2);
      try {
        expect(await limiter.acquire('203.0.113.1')).toBe(true);
        expect(await limiter.acquire('203.0.113.1')).toBe(true);
        expect(await limiter.acquire('203.0.113.1')).toBe(false);
        expect(await limiter.acquire('203.0.113.2')).toBe(true);
        await limiter.release('203.0.113.1');
        expect(await limiter.acquire('203.0.113.1')).toBe(true);
        expect(await limiter.acquire('203.0.113.1')).toBe(false);
      } finally {
        limiter.stop();
      }
    });

    it('never counts below zero: releasing more than was taken frees no extra slot', async () => {
      const limiter = await create(1);
      try {
        await limiter.release('203.0.113.9');
        expect(await limiter.acquire('203.0.113.9')).toBe(true);
        expect(await limiter.acquire('203.0.113.9')).toBe(false);
      } finally {
        limiter.stop();
      }
    });
  });
}

/** One behaviour for both job locks (the scheduler's, and a standalone gateway's). */
export function describeJobLockContract(name: string, create: () => Promise<JobLock>) {
  describe(`JobLock contract: ${name}`, () => {
    it('lets one run hold a job at a time, and each tick run once', async () => {
      const lock = await create();
      const token = await lock.claim('expiry', 1, 1_000, 5_000);
      expect(token).toEqual(expect.any(String));
      expect(await lock.claim('expiry', 1, 1_000, 5_000)).toBeNull();
      expect(await lock.claim('expiry', 2, 1_000, 5_000)).toBeNull();
      expect(await lock.claim('cleanup', 1, 1_000, 5_000)).toEqual(expect.any(String));
      await lock.release('expiry', token as string);
      // The tick stays taken after its run; the next one is free.
      expect(await lock.claim('expiry', 1, 1_000, 5_000)).toBeNull();
      expect(await lock.claim('expiry', 2, 1_000, 5_000)).toEqual(expect.any(String));
    });

    it('frees a job whose holder never released it after maxRunMs, and ignores a stranger’s release', async () => {
      const lock = await create();
      const token = await lock.claim('stuck', 1, 1_000, 100);
      expect(token).toEqual(expect.any(String));
      await lock.release('stuck', 'not-the-token');
      expect(await lock.claim('stuck', 2, 1_000, 100)).toBeNull();
      await sleep(250);
      expect(await lock.claim('stuck', 2, 1_000, 100)).toEqual(expect.any(String));
    });
  });
}
