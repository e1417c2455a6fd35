import { Encoder, type Packet, PacketType } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import {
  createGuardedParser,
  MAX_PAYLOAD_DEPTH,
  nestsDeeperThan,
  OVERDEEP_EVENT,
  OVERSIZE_EVENT,
} from './guarded-parser.js';

function decode(limit: number, chunk: string): Packet[] {
  const { Decoder } = createGuardedParser(limit);
  const decoder = new Decoder();
  const packets: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => packets.push(packet));
  decoder.add(chunk);
  return packets;
}

const encode = (packet: Packet) => new Encoder().encode(packet)[0] as string;

describe('guarded Socket.IO parser', () => {
  it('decodes packets within the limit as usual', () => {
    const chunk = encode({ type: PacketType.EVENT, nsp: '/', data: ['signal', { data: 'x'.repeat(100) }], id: 7 });
    expect(decode(1_000, chunk)).toEqual([
      { type: PacketType.EVENT, nsp: '/', data: ['signal', { data: 'x'.repeat(100) }], id: 7 },
    ]);
  });

  it('replaces an oversize packet with a small error event that keeps its ack id', () => {
    const chunk = encode({ type: PacketType.EVENT, nsp: '/', data: ['signal', { data: 'x'.repeat(5_000) }], id: 42 });
    const [packet] = decode(1_000, chunk);
    expect(packet).toEqual({
      type: PacketType.EVENT,
      nsp: '/',
      data: [OVERSIZE_EVENT, { size: chunk.length, limit: 1_000 }],
      id: 42,
    });
  });

  it('counts bytes, not characters, for multi-byte text', () => {
    const chunk = encode({ type: PacketType.EVENT, nsp: '/', data: ['signal', { data: '€'.repeat(400) }] });
    expect(chunk.length).toBeLessThan(1_000);
    expect(decode(1_000, chunk)[0]?.data[0]).toBe(OVERSIZE_EVENT);
  });
});

describe('guarded Socket.IO parser: nesting depth', () => {
  const nested = (depth: number) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
    return value;
  };

  it('lets messages nested up to the limit through', () => {
    const chunk = encode({ type: PacketType.EVENT, nsp: '/', data: ['signal', { data: nested(60) }], id: 3 });
    expect(decode(1_000_000, chunk)[0]?.data[0]).toBe('signal');
  });

  it.each([70, 6_000, 25_000])('replaces a message nested %i deep with an error event keeping its ack id', (depth) => {
    // Written by hand: the encoder itself is recursive and would overflow first.
    const chunk = `29["signal",{"data":${'['.repeat(depth)}"leaf"${']'.repeat(depth)}}]`;
    expect(decode(10_000_000, chunk)).toEqual([
      { type: PacketType.EVENT, nsp: '/', data: [OVERDEEP_EVENT, { limit: MAX_PAYLOAD_DEPTH }], id: 9 },
    ]);
  });

  it('judges depth without recursion', () => {
    expect(nestsDeeperThan(nested(200_000), 64)).toBe(true);
    expect(nestsDeeperThan({ a: [1, { b: 'x' }], c: Buffer.alloc(3) }, 3)).toBe(false);
  });
});
