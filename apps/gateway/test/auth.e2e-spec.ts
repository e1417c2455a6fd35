import type { INestApplication } from '@nestjs/common';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

const SECRET = 'a-test-secret-of-more-than-32-characters!';
const AUDIENCE = 'rendezvous-test';

type Outcome =
  | { connected: true; name: string; socket: ReturnType<typeof io> }
  | { connected: false; message: string; reason: string };

/** Connects with `auth: { token }` and reports whether the handshake let it in. */
function attempt(url: string, token?: string): Promise<Outcome> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: token ? { token } : {},
  });
  return new Promise((resolve) => {
    socket.on('registered', (payload: { name: string }) => resolve({ connected: true, name: payload.name, socket }));
    socket.on('connect_error', (error: Error & { data?: { reason?: string } }) => {
      socket.close();
      resolve({ connected: false, message: error.message, reason: error.data?.reason ?? '' });
    });
  });
}

const sign = (
  claims: Record<string, unknown>,
  key: Uint8Array | KeyObject,
  alg: string,
  { expiresIn = '5m' as string | null, audience = AUDIENCE as string | null } = {},
) => {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt().setSubject('user-1');
  if (expiresIn) jwt = jwt.setExpirationTime(expiresIn);
  if (audience) jwt = jwt.setAudience(audience);
  return jwt.sign(key);
};
const secretKey = new TextEncoder().encode(SECRET);

describe('AUTH_MODE=jwt: tokens checked in the handshake', () => {
  let hsApp: INestApplication;
  let hsUrl: string;
  let rsApp: INestApplication;
  let rsUrl: string;
  let esApp: INestApplication;
  let esUrl: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
  const opened: ReturnType<typeof io>[] = [];
  const expectIn = async (url: string, token: string) => {
    const outcome = await attempt(url, token);
    if (!outcome.connected) throw new Error(`refused: ${outcome.message}`);
    opened.push(outcome.socket);
    return outcome;
  };

  beforeAll(async () => {
    ({ app: hsApp, url: hsUrl } = await startGatewayApp({
      AUTH_MODE: 'jwt',
      JWT_SECRET: SECRET,
      JWT_AUDIENCE: AUDIENCE,
    }));
    ({ app: rsApp, url: rsUrl } = await startGatewayApp({
      AUTH_MODE: 'jwt',
      JWT_PUBLIC_KEY: pem(rsa.publicKey),
      JWT_AUDIENCE: AUDIENCE,
    }));
    ({ app: esApp, url: esUrl } = await startGatewayApp({ AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: pem(ec.publicKey) }));
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await Promise.all([hsApp?.close(), rsApp?.close(), esApp?.close()]);
  });

  it('lets in valid HS256, RS256 and ES256 tokens, named by their `name` claim', async () => {
    expect((await expectIn(hsUrl, await sign({ name: 'Ada' }, secretKey, 'HS256'))).name).toBe('Ada');
    expect((await expectIn(rsUrl, await sign({ name: 'Grace' }, rsa.privateKey, 'RS256'))).name).toBe('Grace');
    const es = await sign({}, ec.privateKey, 'ES256', { audience: null });
    expect((await expectIn(esUrl, es)).connected).toBe(true);
  });

  it.each([
    ['no token', async () => undefined, 'auth_missing'],
    ['a token that is not a JWT', async () => 'not.a.jwt', 'auth_invalid'],
    ['another secret', async () => sign({}, new TextEncoder().encode('x'.repeat(40)), 'HS256'), 'auth_invalid'],
    ['an expired token', async () => sign({}, secretKey, 'HS256', { expiresIn: '-1m' }), 'auth_expired'],
    ['a token without exp', async () => sign({}, secretKey, 'HS256', { expiresIn: null }), 'auth_invalid'],
    ['another audience', async () => sign({}, secretKey, 'HS256', { audience: 'someone-else' }), 'auth_invalid'],
    [
      'an unsigned token (alg none)',
      async () => {
        const body = Buffer.from(JSON.stringify({ aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 })).toString(
          'base64url',
        );
        return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
      },
      'auth_invalid',
    ],
  ])('refuses %s before connecting (HS256 server)', async (_what, token, reason) => {
    const outcome = await attempt(hsUrl, await token());
    expect(outcome).toMatchObject({ connected: false, reason });
  });

  it('refuses an HS256 token made with the RS256 public key as secret (algorithm confusion)', async () => {
    const forged = await sign({}, new TextEncoder().encode(pem(rsa.publicKey)), 'HS256');
    expect(await attempt(rsUrl, forged)).toMatchObject({ connected: false, reason: 'auth_invalid' });
    const wrongKey = await sign({}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'RS256');
    expect(await attempt(rsUrl, wrongKey)).toMatchObject({ connected: false, reason: 'auth_invalid' });
  });

  it('restricts joins to the rooms its `rooms` claim names', async () => {
    const { socket } = (await expectIn(
      hsUrl,
      await sign({ name: 'Limited', rooms: ['team-room'] }, secretKey, 'HS256'),
    )) as {
      socket: ReturnType<typeof io>;
    };
    const join = (roomId: string) =>
      new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
        socket.emit('join-room', { roomId }, resolve),
      );
    expect(await join('other-room')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await join('team-room')).toMatchObject({ ok: true });
  });

  it('matches the `rooms` claim exactly for multiparty rooms: no case or Unicode folding', async () => {
    const claims = { rooms: ['team', 'secret-board', 'straße', 'ﬀ', 'fıle'] };
    const { socket } = (await expectIn(hsUrl, await sign(claims, secretKey, 'HS256'))) as {
      socket: ReturnType<typeof io>;
    };
    const join = (roomId: string) =>
      new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
        socket.emit('join-room', { roomId }, resolve),
      );
    for (const foreign of ['TEAM', 'Team', 'SECRET-BOARD', 'STRASSE', 'FF', 'FILE']) {
      expect(await join(foreign), foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await join('team')).toMatchObject({ ok: true });
    expect(await join('secret-board')).toMatchObject({ ok: true });
  });

  it('compares transfer room codes without case, in ASCII only', async () => {
    const { socket } = (await expectIn(hsUrl, await sign({ rooms: ['abc234', 'ﬀﬀﬀ'] }, secretKey, 'HS256'))) as {
      socket: ReturnType<typeof io>;
    };
    const attach = (roomCode: string) =>
      new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
        socket.emit('attach-room', { roomCode, participantId: 'someone12345' }, resolve),
      );
    // Allowed by the claim (the room itself does not exist).
    expect(await attach('ABC234')).toMatchObject({ ok: false, error: { code: 'room_not_found' } });
    expect(await attach('aBc234')).toMatchObject({ ok: false, error: { code: 'room_not_found' } });
    expect(await attach('FFFFFF')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it.each([
    ['a string', 'team'],
    ['an object', { team: true }],
    ['an array with a non-string', ['team', 7]],
  ])('refuses a token whose `rooms` claim is %s', async (_what, rooms) => {
    const outcome = await attempt(hsUrl, await sign({ rooms }, secretKey, 'HS256'));
    expect(outcome).toMatchObject({ connected: false, reason: 'auth_invalid' });
  });

  it('binds the session name to the token: register-details and room names keep the `name` claim', async () => {
    const { socket } = (await expectIn(hsUrl, await sign({ name: 'Ada\u202e\u0000' }, secretKey, 'HS256'))) as {
      socket: ReturnType<typeof io>;
    };
    const request = (event: string, payload: unknown) =>
      new Promise<{ ok: boolean; data?: Record<string, unknown> }>((resolve) => socket.emit(event, payload, resolve));
    expect(await request('register-details', { name: 'Mallory' })).toMatchObject({ ok: true, data: { name: 'Ada' } });
    expect(await request('join-room', { roomId: 'named-room', name: 'Mallory' })).toMatchObject({
      ok: true,
      data: { self: { username: 'Ada' } },
    });
    expect(await request('profile', { username: 'Mallory' })).toMatchObject({
      ok: true,
      data: { clients: [{ username: 'Ada' }] },
    });
  });
});
