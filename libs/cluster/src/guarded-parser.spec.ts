import { Encoder, type Packet, PacketType } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { createGuardedParser, OVERSIZE_EVENT } from './guarded-parser.js';

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
