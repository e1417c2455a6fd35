import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TurnBatchedWrites } from './turn-batched-writes.js';

/** A stream that records each call that reaches its underlying sink (one per system call on a socket). */
function recordingStream(): { stream: Writable; writes: string[][] } {
  const writes: string[][] = [];
  const stream = new Writable({
    writev(chunks, callback) {
      writes.push(chunks.map(({ chunk }) => String(chunk)));
      callback();
    },
    write(chunk, _encoding, callback) {
      writes.push([String(chunk)]);
      callback();
    },
  });
  return { stream, writes };
}

describe('TurnBatchedWrites', () => {
  it('sends what was written to a stream in one turn in one write, in order, at the end of the turn', async () => {
    const batch = new TurnBatchedWrites();
    const { stream, writes } = recordingStream();
    for (const frame of ['a', 'b', 'c']) {
      batch.add(stream);
      stream.write(frame);
    }
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([['a', 'b', 'c']]);
  });

  it('batches each stream on its own, and a later turn again', async () => {
    const batch = new TurnBatchedWrites();
    const one = recordingStream();
    const two = recordingStream();
    batch.add(one.stream);
    one.stream.write('1');
    batch.add(two.stream);
    two.stream.write('2');
    one.stream.write('3');
    await nextTurn();
    batch.add(one.stream);
    one.stream.write('4');
    await nextTurn();
    expect(one.writes).toEqual([['1', '3'], ['4']]);
    expect(two.writes).toEqual([['2']]);
  });

  it('asks an owner for its sockets once per turn', async () => {
    const batch = new TurnBatchedWrites();
    const { stream, writes } = recordingStream();
    const owner = {};
    let asked = 0;
    const streams = () => {
      asked++;
      return [stream];
    };
    for (const frame of ['a', 'b']) {
      batch.addFrom(owner, streams);
      stream.write(frame);
    }
    await nextTurn();
    batch.addFrom(owner, streams);
    stream.write('c');
    await nextTurn();
    expect(asked).toBe(2);
    expect(writes).toEqual([['a', 'b'], ['c']]);
  });
});
