import * as parser from 'socket.io-parser';

/** Event name the decoder substitutes for a packet over the size limit; the gateway answers it with an error. */
export const OVERSIZE_EVENT = 'rv:payload-too-large';

/**
 * A Socket.IO decoder that refuses packets over `limitBytes` before parsing their JSON, replacing each with a
 * small OVERSIZE_EVENT packet (keeping its ack id) so the sender gets a clear error and stays connected.
 */
export function createGuardedParser(limitBytes: number) {
  class GuardedDecoder extends parser.Decoder {
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
        super.add(chunk);
        return;
      }
      const header = typeof chunk === 'string' ? /^[0-6](?:\d+-)?(\/[^,]*,)?(\d+)?/.exec(chunk.slice(0, 64)) : null;
      const packet: parser.Packet = {
        type: parser.PacketType.EVENT,
        nsp: header?.[1]?.slice(0, -1) ?? '/',
        data: [OVERSIZE_EVENT, { size, limit: limitBytes }],
      };
      if (header?.[2]) packet.id = Number(header[2]);
      this.emitReserved('decoded', packet);
    }
  }
  return { Encoder: parser.Encoder, Decoder: GuardedDecoder };
}
