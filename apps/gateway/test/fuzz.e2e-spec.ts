import { CLIENT_EVENTS, clientSchemas } from '@rendezvous/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { eventually } from '../../../test/support/ports.js';
import { Replica } from '../../../test/support/replica.js';
import { prng } from '../../../test/support/prng.js';

const SEED = 0x5eed2026;
const FUZZ_SOCKETS = 8;
const MESSAGES_PER_SOCKET = 150;
const MAX_PAYLOAD_BYTES = 4_096;
const GOOD_PAIRS = 3;
const GOOD_SIGNALS = 100;

type Payload = unknown;

/** Payloads of every shape a broken or hostile client sends: wrong types, missing and extra fields, junk. */
function payloadGenerators(random: () => number): (() => Payload)[] {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const text = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 0x2fff))).join('');
  const nested = (depth: number): Payload => (depth === 0 ? text(3) : { a: nested(depth - 1), b: [depth] });
  const scalar = () => pick<Payload>([null, true, 0, -1, 1e308, NaN, '', text(8), 'ABCDEF', 'aaaaaaaaaa', []]);
  return [
    () => undefined,
    scalar,
    () => [scalar(), scalar()],
    () => ({ [pick(['name', 'flightCode', 'roomId', 'callId', 'receiver', 'data', 'target'])]: scalar() }),
    () => ({ flightCode: text(6), inviteeId: text(10) }),
    () => ({ roomId: pick(['room-1', '../../etc', 'x'.repeat(65), '💥', 'ok_room']), name: scalar() }),
    () => ({ roomCode: text(6), participantId: scalar(), channel: pick(['transfer', 'bogus', 7]) }),
    () => ({ callId: text(16), target: text(10), signal: nested(3) }),
    () => ({ receiver: text(10), data: nested(5) }),
    () => ({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } }, name: 'x' }),
    () => nested(40),
    () => ({ data: 'x'.repeat(MAX_PAYLOAD_BYTES + 500 + Math.floor(random() * 2_000)) }),
    () => Buffer.from(text(32)),
  ];
}

describe('fuzzing every event from many sockets at once (fixed seed and count)', () => {
  let replica: Replica;

  beforeAll(async () => {
    replica = await Replica.start('fuzz', {
      MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
      // The fuzzers are meant to reach the handlers, not the rate limiter.
      RATE_LIMIT_EVENTS_PER_SECOND: '100000',
      RATE_LIMIT_BURST: '100000',
    });
  });
  afterAll(async () => replica?.stop());

  it('answers every bad message with an error, stays up, and loses nothing for well-behaved clients', async () => {
    const random = prng(SEED);
    const generators = payloadGenerators(random);
    const events = [...CLIENT_EVENTS, 'no-such-event', 'constructor', '__proto__', 'toString', 'hasOwnProperty'];

    const pairs = await Promise.all(
      Array.from({ length: GOOD_PAIRS }, async () => {
        const host = await TestClient.connect(replica.url);
        const guest = await TestClient.connect(replica.url);
        const created = await host.request<{ flightCode: string }>('create-flight');
        if (!created.ok) throw new Error('create-flight failed');
        await guest.request('join-flight', { flightCode: created.data.flightCode });
        return { host, guest };
      }),
    );
    const fuzzers = await Promise.all(Array.from({ length: FUZZ_SOCKETS }, () => TestClient.connect(replica.url)));

    const plans = fuzzers.map(() =>
      Array.from({ length: MESSAGES_PER_SOCKET }, () => ({
        event: events[Math.floor(random() * events.length)]!,
        payload: generators[Math.floor(random() * generators.length)]!(),
      })),
    );
    const unanswered: string[] = [];
    const wronglyAccepted: string[] = [];
    const fuzzing = fuzzers.map(async (fuzzer, index) => {
      for (const { event, payload } of plans[index]!) {
        const answer = await fuzzer.request(event, payload, 5_000).catch(() => null);
        if (!answer) {
          unanswered.push(event);
          continue;
        }
        const schema = Object.hasOwn(clientSchemas, event) ? clientSchemas[event as keyof typeof clientSchemas] : null;
        // What the server sees: the JSON form (NaN becomes null, undefined fields vanish), buffers as they are.
        const onTheWire: unknown =
          payload === undefined || Buffer.isBuffer(payload) ? payload : JSON.parse(JSON.stringify(payload));
        const bad =
          !schema ||
          Buffer.byteLength(JSON.stringify(payload) ?? '') > MAX_PAYLOAD_BYTES ||
          !schema.safeParse(onTheWire).success;
        if (bad && answer.ok) wronglyAccepted.push(`${event} ${JSON.stringify(payload)?.slice(0, 80)}`);
      }
    });
    const relaying = pairs.map(async ({ host, guest }, index) => {
      for (let i = 0; i < GOOD_SIGNALS; i++) {
        host.emit('signal', { data: { pair: index, i } });
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await eventually(() => guest.count('signal') >= GOOD_SIGNALS, `pair ${index} to get its signals`, 20_000);
    });
    // Frames that are not Socket.IO at all (or use its reserved event names) break the protocol: Socket.IO closes
    // that one connection, as it must; the replica and everyone else carry on.
    const garbage = [
      '42["connect",null]',
      '42["error",{}]',
      '42["disconnect"]',
      '42garbage',
      '4{"unterminated',
      '49999999999999999999["signal"]',
      '2probe-not-a-ping',
      '\u0000\u0001binary?',
    ];
    const breaking = (async () => {
      const closed: string[] = [];
      for (const frame of garbage) {
        const breaker = await TestClient.connect(replica.url);
        const gone = new Promise<string>((resolve) =>
          breaker.socket.on('disconnect', (reason: string) => resolve(reason)),
        );
        breaker.socket.io.engine.write(frame);
        const reason = await Promise.race([gone, new Promise<string>((r) => setTimeout(() => r('still open'), 2_000))]);
        if (reason !== 'still open') closed.push(frame);
        breaker.close();
      }
      return closed;
    })();
    await Promise.all([...fuzzing, ...relaying]);
    expect((await breaking).length).toBeGreaterThanOrEqual(4);

    expect(unanswered).toEqual([]);
    expect(wronglyAccepted).toEqual([]);
    for (const [index, { guest }] of pairs.entries()) {
      const received = guest.received
        .filter((item) => item.event === 'signal')
        .map((item) => (item.payload as { data: { pair: number; i: number } }).data);
      expect(received).toEqual(Array.from({ length: GOOD_SIGNALS }, (_, i) => ({ pair: index, i })));
      expect(guest.count('error')).toBe(0);
    }
    expect(replica.process.running).toBe(true);
    expect((await fetch(`${replica.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${replica.url}/stats`)).status).toBe(200);
    expect(replica.process.output).not.toMatch(/Unhandled rejection|TypeError|RangeError/);
    // Nothing was polluted: a fresh client still gets a clean session.
    const fresh = await TestClient.connect(replica.url);
    expect((await fresh.request('create-flight')).ok).toBe(true);
    for (const client of [...fuzzers, fresh, ...pairs.flatMap(({ host, guest }) => [host, guest])]) client.close();
  }, 90_000);
});
