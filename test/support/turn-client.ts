import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

/**
 * Just enough of a TURN client (RFC 5766 Allocate over UDP, RFC 5389 long-term credentials) to ask a TURN server
 * for a relay with a username and credential, and report what it answered.
 */
const MAGIC_COOKIE = 0x2112a442;
const ALLOCATE_REQUEST = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  fingerprint: 0x8028,
};

export type AllocateResult = { ok: true; relayed: string } | { ok: false; code: number; reason: string };

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function message(type: number, transactionId: Buffer, attributes: Buffer[], integrityKey?: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  let body = Buffer.concat(attributes);
  if (integrityKey) {
    // The length covers MESSAGE-INTEGRITY itself (24 bytes) when the HMAC is computed.
    header.writeUInt16BE(body.length + 24, 2);
    const hmac = createHmac('sha1', integrityKey)
      .update(Buffer.concat([header, body]))
      .digest();
    body = Buffer.concat([body, attribute(ATTR.messageIntegrity, hmac)]);
  }
  // FINGERPRINT: CRC-32 of the message up to it, XOR 0x5354554e.
  header.writeUInt16BE(body.length + 8, 2);
  const crc = (crc32(Buffer.concat([header, body])) ^ 0x5354554e) >>> 0;
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE(crc, 0);
  body = Buffer.concat([body, attribute(ATTR.fingerprint, fingerprint)]);
  return Buffer.concat([header, body]);
}

function parse(packet: Buffer): { type: number; transactionId: Buffer; attributes: Map<number, Buffer> } {
  const type = packet.readUInt16BE(0);
  const length = packet.readUInt16BE(2);
  const attributes = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= 20 + length;) {
    const attrType = packet.readUInt16BE(offset);
    const attrLength = packet.readUInt16BE(offset + 2);
    attributes.set(attrType, packet.subarray(offset + 4, offset + 4 + attrLength));
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  return { type, transactionId: packet.subarray(8, 20), attributes };
}

function errorOf(attributes: Map<number, Buffer>): { code: number; reason: string } {
  const value = attributes.get(ATTR.errorCode);
  if (!value) return { code: 0, reason: 'no ERROR-CODE' };
  return { code: (value[2] as number) * 100 + (value[3] as number), reason: value.subarray(4).toString('utf8') };
}

function xorAddress(value: Buffer): string {
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const address = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}:${port}`;
}

let crcTable: Uint32Array | null = null;
function crc32(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Sends an Allocate (first without credentials to learn realm and nonce, then with them) and reports the answer. */
export async function allocateRelay(
  host: string,
  port: number,
  username: string,
  credential: string,
  timeoutMs = 3_000,
): Promise<AllocateResult> {
  const socket = createSocket('udp4');
  const transport = attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]));
  const exchange = (packet: Buffer) =>
    new Promise<ReturnType<typeof parse>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no TURN answer within ${timeoutMs} ms`)), timeoutMs);
      socket.once('message', (reply) => {
        clearTimeout(timer);
        resolve(parse(reply));
      });
      socket.send(packet, port, host);
    });
  try {
    const challenge = await exchange(message(ALLOCATE_REQUEST, randomBytes(12), [transport]));
    if (challenge.type !== ALLOCATE_ERROR) throw new Error(`unexpected answer type 0x${challenge.type.toString(16)}`);
    const realm = challenge.attributes.get(ATTR.realm);
    const nonce = challenge.attributes.get(ATTR.nonce);
    if (!realm || !nonce) return { ok: false, ...errorOf(challenge.attributes) };
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${credential}`)
      .digest();
    const request = message(
      ALLOCATE_REQUEST,
      randomBytes(12),
      [
        transport,
        attribute(ATTR.username, Buffer.from(username, 'utf8')),
        attribute(ATTR.realm, realm),
        attribute(ATTR.nonce, nonce),
      ],
      key,
    );
    const answer = await exchange(request);
    if (answer.type === ALLOCATE_SUCCESS) {
      const relayed = answer.attributes.get(ATTR.xorRelayedAddress);
      return { ok: true, relayed: relayed ? xorAddress(relayed) : 'unknown' };
    }
    return { ok: false, ...errorOf(answer.attributes) };
  } finally {
    socket.close();
  }
}
