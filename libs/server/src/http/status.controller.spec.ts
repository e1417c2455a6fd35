import { describe, expect, it } from 'vitest';
import { formatUptime } from './status.controller.js';

describe('formatUptime', () => {
  it('writes days, hours, minutes and seconds from the first unit that is not zero', () => {
    expect(formatUptime(0)).toBe('0s');
    expect(formatUptime(59.9)).toBe('59s');
    expect(formatUptime(61)).toBe('1m 1s');
    expect(formatUptime(3_600)).toBe('1h 0m 0s');
    expect(formatUptime(90_061)).toBe('1d 1h 1m 1s');
  });
});
