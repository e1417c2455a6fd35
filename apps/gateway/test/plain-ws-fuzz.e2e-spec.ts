import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';
import { prng } from '../../../test/support/prng.js';

const SEED = 0x5eed2027;
const FRAMES_PER_SOCKET = 150;

const TYPES = [
  'signal',
  'create-flight',
  'join-flight',
  'attach-room',
  'register-details',
  'invite-to-flight',
  'leave-flight',
  'ping',
  'get-room-info',
  'profile',
  'offer',
  'answer',
  'icecandidate',
  'ice-candidate',
  'text',
  'bye',
  'pong',
  'get-ice-servers',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  '',
];

/** Frames of every shape a broken or hostile client sends, for any of the three protocols. */
function frame(random: () => number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const scalar = () => pick<unknown>([null, true, 0, -1, 1e308, '', 'ABCDEF', 'ground control', 'room', [], {}]);
  const shapes: (() => string)[] = [
    () => JSON.stringify({ type: pick(TYPES), data: scalar(), receiver: scalar(), targetUserId: scalar() }),
    () => JSON.stringify({ type: pick(TYPES), name: scalar(), flightCode: scalar(), roomCode: scalar() }),
    () => JSON.stringify({ type: pick(TYPES), data: { username: scalar(), text: scalar(), from: scalar() } }),
    () => JSON.stringify({ type: scalar() }),
    () => JSON.stringify(scalar()),
    () => '{"type":"signal","data":' + '['.repeat(80) + ']'.repeat(80) + '}',
    () => 'not json at all',
    () => '{"type":"join-flight","flightCode":"' + 'A'.repeat(5_000) + '"}',
  ];
  return pick(shapes)();
}

// Hostile frames on every plain-WebSocket protocol: each gets an error or nothing, the process stays up, and
// clients that behave keep working.
describe('plain-WebSocket protocols under hostile frames', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ MAX_PAYLOAD_BYTES: '4096', RATE_LIMIT_EVENTS_PER_SECOND: '10000' }));
  });
  afterAll(async () => app?.close());

  it('survives seeded random frames on DropSilk, Camus and seed-004 sockets', async () => {
    const random = prng(SEED);
    const paths = ['/', '/room/fuzz-room/ws', '/?roomId=fuzz-room&userId=fuzzer&userName=Fuzz'];
    const sockets = await Promise.all(paths.map((path) => PlainWsClient.open(`${url}${path}`)));
    for (let i = 0; i < FRAMES_PER_SOCKET; i++) {
      for (const socket of sockets) if (socket.ws.readyState === socket.ws.OPEN) socket.send(frame(random));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const socket of sockets) socket.close();

    // Behaving clients of each protocol still get what they ask for.
    const host = await PlainWsClient.open(url);
    await host.next('registered');
    host.send({ type: 'create-flight' });
    expect(await host.next('flight-created')).toMatchObject({ flightCode: expect.any(String) });
    const camus = await PlainWsClient.open(`${url}/room/fuzz-room/ws`);
    camus.send({ receiver: 'ground control', type: 'ping', data: 7 });
    expect(await camus.next('pong')).toMatchObject({ data: 7 });
    const generic = await PlainWsClient.open(`${url}/?roomId=fuzz-room&userId=calm&userName=Calm`);
    expect(await generic.next('welcome')).toMatchObject({ type: 'welcome' });
    for (const socket of [host, camus, generic]) socket.close();
  });
});
