import * as parser from 'socket.io-parser';

/** Event name the decoder substitutes for a packet over the size limit; the gateway answers it with an error. */
export const OVERSIZE_EVENT = 'rv:payload-too-large';
/** Event name the decoder substitutes for a packet nested deeper than the depth limit. */
export const OVERDEEP_EVENT = 'rv:payload-too-deep';
/** Most levels of arrays and objects one message may nest (a signal's SDP or candidate needs three or four). */
export const MAX_PAYLOAD_DEPTH = 64;

/** Whether `value` nests arrays/objects deeper than `limit`: iterative, and it stops at the first level too deep. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node) || node instanceof ArrayBuffer) continue;
    if (depth >= limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

function substitute(original: { nsp?: string; id?: number }, data: unknown[]): parser.Packet {
  const packet: parser.Packet = { type: parser.PacketType.EVENT, nsp: original.nsp ?? '/', data };
  if (original.id !== undefined) packet.id = original.id;
  return packet;
}

/**
 * A Socket.IO decoder that refuses what no handler should see: packets over `limitBytes` before their JSON is
 * parsed, and packets nested deeper than MAX_PAYLOAD_DEPTH once it is (those would overflow the stack of every
 * recursive encoder after us, such as the Redis adapter's). Each becomes a small substitute event that keeps its
 * ack id, so the sender gets a clear error and stays connected.
 */
export function createGuardedParser(limitBytes: number): {
  Encoder: typeof parser.Encoder;
  Decoder: new () => parser.Decoder;
} {
  class GuardedDecoder extends parser.Decoder {
    // Decoder.add emits through its own super, so the depth check sits on an inner decoder's output.
    private readonly inner = new parser.Decoder();

    constructor() {
      super();
      this.inner.on('decoded', (packet: parser.Packet) => {
        const deep = packet.type !== parser.PacketType.CONNECT && nestsDeeperThan(packet.data, MAX_PAYLOAD_DEPTH);
        this.emitReserved(
          'decoded',
          deep ? substitute(packet, [OVERDEEP_EVENT, { limit: MAX_PAYLOAD_DEPTH }]) : packet,
        );
      });
    }

    override add(chunk: unknown): void {
      const size =
        typeof chunk === 'string'
          ? chunk.length > limitBytes || chunk.length * 3 <= limitBytes
            ? chunk.length
            : Buffer.byteLength(chunk)
          : chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk)
            ? chunk.byteLength
            : 0;
      if (size <= limitBytes) {
        this.inner.add(chunk);
        return;
      }
      const header = typeof chunk === 'string' ? /^[0-6](?:\d+-)?(\/[^,]*,)?(\d+)?/.exec(chunk.slice(0, 64)) : null;
      const original = { nsp: header?.[1]?.slice(0, -1), id: header?.[2] ? Number(header[2]) : undefined };
      this.emitReserved('decoded', substitute(original, [OVERSIZE_EVENT, { size, limit: limitBytes }]));
    }

    override destroy(): void {
      this.inner.destroy();
      super.destroy();
    }
  }
  return { Encoder: parser.Encoder, Decoder: GuardedDecoder };
}
