import { describe, expect, it } from 'vitest';
import { LogRingBuffer } from './log-ring-buffer.js';
import { censorQuery, censorUrl } from './logger-options.js';

describe('LogRingBuffer', () => {
  it('keeps the last lines in order, oldest first', () => {
    const buffer = new LogRingBuffer(3);
    expect(buffer.lines()).toEqual([]);
    buffer.write('one\n');
    buffer.write('two\n');
    expect(buffer.lines()).toEqual(['one', 'two']);
    buffer.write('three\nfour\n');
    buffer.write('five\n');
    expect(buffer.lines()).toEqual(['three', 'four', 'five']);
  });

  it('keeps nothing with capacity 0', () => {
    const buffer = new LogRingBuffer(0);
    buffer.write('one\n');
    expect(buffer.lines()).toEqual([]);
  });
});

describe('censorUrl', () => {
  it('hides transfer-room participant ids in paths and queries', () => {
    expect(censorUrl('/api/rooms/ABC234?participantId=abc123def456')).toBe(
      '/api/rooms/ABC234?participantId=[redacted]',
    );
    expect(censorUrl('/api/rooms/ABC234/participants/abc123def456/ready')).toBe(
      '/api/rooms/ABC234/participants/[redacted]/ready',
    );
  });

  it('hides the values of secret query parameters and nothing else', () => {
    expect(censorUrl('/logs?key=hunter2hunter2&x=1')).toBe('/logs?key=[redacted]&x=1');
    expect(censorUrl('/a?x=1&token=abc#frag')).toBe('/a?x=1&token=[redacted]#frag');
    expect(censorUrl('/a?key[a]=s&key%5Bb%5D=s&KEY=s')).toBe(
      '/a?key[a]=[redacted]&key%5Bb%5D=[redacted]&KEY=[redacted]',
    );
    expect(censorUrl('/a?monkey=1&keys=2')).toBe('/a?monkey=1&keys=2');
    const query = { key: 's', 'key[a]': 's', Token: ['s', 't'], keys: '2' };
    expect(censorQuery(query)).toEqual({ key: '[redacted]', 'key[a]': '[redacted]', Token: '[redacted]', keys: '2' });
    expect(query.key).toBe('s');
  });
});
