import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { publicParticipantId } from '@rendezvous/rooms';

describe('DropSilk transfer-room API (/api/rooms)', () => {
  let app: INestApplication;
  let base: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    let url: string;
    ({ app, url } = await startGatewayApp({
      ALLOWED_ORIGINS: 'https://app.example',
      ALLOWED_ORIGIN_REGEX: '^https://preview-[a-z0-9]+\\.example$',
    }));
    base = `${url}/api/rooms`;
  });
  afterAll(async () => app?.close());

  it('walks a room from creation to both sides ready', async () => {
    const created = await call('POST', '', { name: '  Alice  ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'waiting',
      shouldConnect: false,
      peer: null,
      self: { role: 'host', name: 'Alice', ready: false, fileCount: 0, totalBytes: 0 },
      screenShare: { activeParticipantId: null, requestedBySelf: false, requestedByPeer: false, isActive: false },
      chat: { requestedBySelf: false, requestedByPeer: false, isActive: false },
    });
    const code: string = created.body.roomCode;
    expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    const hostId: string = created.body.self.participantId;
    expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.now() + 29 * 60_000);

    const joined = await call('POST', `/${code.toLowerCase()}/join`, { name: 'Bob' });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({
      status: 'paired',
      self: { role: 'guest', name: 'Bob' },
      peer: { participantId: publicParticipantId(hostId), role: 'host', name: 'Alice' },
    });
    const guestId: string = joined.body.self.participantId;
    // A participant id is its holder's credential: never shown to the other side, in any answer.
    expect(JSON.stringify(joined.body)).not.toContain(hostId);

    expect(await call('POST', `/${code}/join`, { name: 'Eve' })).toEqual({
      status: 400,
      body: { error: 'Room already has two participants' },
    });

    const ready = await call('POST', `/${code}/participants/${hostId}/ready`, { fileCount: 2, totalBytes: 2048 });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      shouldConnect: true,
      self: { ready: true, fileCount: 2, totalBytes: 2048 },
    });

    const seenByGuest = await call('GET', `/${code}?participantId=${guestId}`);
    expect(seenByGuest.status).toBe(200);
    expect(seenByGuest.body).toMatchObject({ shouldConnect: true, self: { role: 'guest' }, peer: { ready: true } });
    expect(JSON.stringify(seenByGuest.body)).not.toContain(hostId);
    // What the guest sees of the host is not a credential.
    const alias = seenByGuest.body.peer.participantId as string;
    expect(await call('POST', `/${code}/participants/${alias}/ready`, {})).toMatchObject({ status: 404 });

    expect(
      (await call('POST', `/${code}/participants/${guestId}/screen-share`, { active: true })).body.screenShare,
    ).toEqual({
      activeParticipantId: guestId,
      requestedBySelf: true,
      requestedByPeer: false,
      isActive: true,
    });
    expect(await call('POST', `/${code}/participants/${hostId}/screen-share`, { active: true })).toEqual({
      status: 400,
      body: { error: 'Peer is already screen sharing' },
    });
    const seenByHost = await call('GET', `/${code}?participantId=${hostId}`);
    expect(seenByHost.body.screenShare.activeParticipantId).toBe(publicParticipantId(guestId));
    expect(JSON.stringify(seenByHost.body)).not.toContain(guestId);
    expect((await call('POST', `/${code}/participants/${hostId}/chat`, { active: true })).body.chat).toEqual({
      requestedBySelf: true,
      requestedByPeer: false,
      isActive: true,
    });
  });

  it('answers unknown rooms and strangers with DropSilk errors', async () => {
    expect(await call('POST', '/ZZZZZZ/join', { name: 'Bob' })).toEqual({
      status: 400,
      body: { error: 'Room not found or expired' },
    });
    const notPart = { status: 404, body: { error: 'Room not found or participant is not part of it.' } };
    expect(await call('GET', '/ZZZZZZ?participantId=someone')).toEqual(notPart);
    const { body } = await call('POST', '', { name: 'Host' });
    expect(await call('GET', `/${body.roomCode}?participantId=stranger`)).toEqual(notPart);
    expect(await call('POST', `/${body.roomCode}/participants/stranger/ready`, {})).toEqual(notPart);
    expect(await call('POST', `/${body.roomCode}/participants/stranger/chat`, { active: false })).toEqual(notPart);
  });

  it.each([
    ['POST', '', {}],
    ['POST', '', { name: '' }],
    ['POST', '', { name: 'x'.repeat(51) }],
    ['GET', '/ABCDEF', undefined],
    ['GET', '/ABC?participantId=p', undefined],
    ['POST', '/ABCDEF/join', { name: 7 }],
    ['POST', '/ABCDEF/participants/p/ready', { fileCount: -1 }],
    ['POST', '/ABCDEF/participants/p/ready', { fileCount: 1.5 }],
    ['POST', '/ABCDEF/participants/p/screen-share', { active: 'yes' }],
    ['POST', '/ABCDEF/participants/p/chat', {}],
  ])('%s /api/rooms%s with %j -> 400 Invalid request', async (method, path, body) => {
    const response = await call(method, path, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('Invalid request');
    expect(response.body.issues.length).toBeGreaterThan(0);
    for (const issue of response.body.issues) expect(issue).toMatch(/^[\w.]+: /);
  });

  it('sends CORS headers to allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(base, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    for (const origin of ['https://app.example', 'https://preview-abc1.example']) {
      expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBe(origin);
    }
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const created = await fetch(base, {
      method: 'POST',
      headers: { origin: 'https://app.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cors' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('answers unknown room endpoints with 404', async () => {
    expect(await call('GET', '/ABCDEF/participants/p/teleport')).toEqual({
      status: 404,
      body: { error: 'Room endpoint not found.' },
    });
    expect((await call('DELETE', '/ABCDEF')).status).toBe(404);
  });
});
