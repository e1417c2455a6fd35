import { describe, expect, it } from 'vitest';
import { serialized } from './serialized.js';

describe('serialized', () => {
  it('never overlaps runs, and folds the calls made during a run into one more run', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const run = serialized(async () => {
      runs++;
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active--;
    });
    await Promise.all([run(), run(), run(), run()]);
    expect(most).toBe(1);
    expect(runs).toBe(2);
    await run();
    expect(runs).toBe(3);
  });

  it('runs again after a failed run', async () => {
    let calls = 0;
    const run = serialized(async () => {
      calls++;
      if (calls === 1) throw new Error('first fails');
    });
    const first = run();
    const second = run();
    await expect(first).rejects.toThrow('first fails');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
