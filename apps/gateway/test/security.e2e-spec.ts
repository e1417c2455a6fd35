import type { INestApplication } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { sleep } from '../../../test/support/ports.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;

const LOG_KEY = 'security-log-key-0123456789';
const PUBLIC_URL = 'https://signal.example';

/** One gateway (standalone) under attack: passwords, uploads, half-open connections, logs, names, origins. */
describe('security e2e: one gateway', () => {
  let app: INestApplication;
  let url: string;
  const clients: Client[] = [];
  const connect = async (address: string) => {
    const client = await TestClient.connect(url, { headers: { 'x-forwarded-for': address } });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({
      TRUSTED_PROXIES: '127.0.0.1',
      LOG_LEVEL: 'log',
      LOG_ACCESS_KEY: LOG_KEY,
      MAX_LOG_BUFFER_SIZE: '2000',
      FAILED_JOINS_PER_MINUTE: '3',
      ROOM_PASSWORD_FAILURES_PER_MINUTE: '4',
      JOIN_LOCKOUT_SECONDS: '30',
      PASSWORD_CHECK_CONCURRENCY: '1',
      PASSWORD_CHECK_QUEUE: '2',
      MAX_CONNECTIONS_PER_IP: '4',
      HANDSHAKE_TIMEOUT_MS: '1000',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      ALLOWED_ORIGINS: 'https://app.example',
      PUBLIC_SERVER_URL: PUBLIC_URL,
    }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  const joinRoom = (client: Client, roomId: string, password?: string) =>
    client.request('join-room', { roomId, ...(password ? { password } : {}) });

  it('locks out an address after FAILED_JOINS_PER_MINUTE wrong room passwords, before any scrypt work', async () => {
    const owner = await connect('192.0.2.1');
    await joinRoom(owner, 'vault-a', 'right horse battery');
    const guesser = await connect('203.0.113.1');
    for (let i = 0; i < 3; i++) {
      expect(await joinRoom(guesser, 'vault-a', `wrong-${i}`)).toMatchObject({
        ok: false,
        error: { code: 'wrong_password' },
      });
    }
    expect(await joinRoom(guesser, 'vault-a', 'right horse battery')).toMatchObject({
      ok: false,
      error: { code: 'too_many_attempts' },
    });
    expect(await joinRoom(await connect('192.0.2.2'), 'vault-a', 'right horse battery')).toMatchObject({ ok: true });
  });

  it('pauses a room’s password checks after ROOM_PASSWORD_FAILURES_PER_MINUTE wrong guesses from many addresses', async () => {
    const owner = await connect('192.0.2.3');
    await joinRoom(owner, 'vault-b', 'right horse battery');
    for (const address of ['203.0.113.11', '203.0.113.12']) {
      const guesser = await connect(address);
      for (let i = 0; i < 2; i++) await joinRoom(guesser, 'vault-b', `wrong-${i}`);
    }
    expect(await joinRoom(await connect('192.0.2.4'), 'vault-b', 'right horse battery')).toMatchObject({
      ok: false,
      error: { code: 'too_many_attempts' },
    });
  });

  it('runs password checks a few at a time and refuses the overflow with busy', async () => {
    const owner = await connect('192.0.2.5');
    await joinRoom(owner, 'vault-c', 'right horse battery');
    const guessers = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(`203.0.113.${30 + i}`)));
    const answers = await Promise.all(guessers.map((guesser) => joinRoom(guesser, 'vault-c', 'wrong')));
    const codes = answers.map((answer) => (answer.ok ? 'ok' : answer.error.code));
    expect(codes.filter((code) => code === 'busy').length).toBeGreaterThanOrEqual(1);
    expect(codes.every((code) => ['busy', 'wrong_password', 'too_many_attempts'].includes(code))).toBe(true);
    const keepAlive = await fetch(`${url}/keep-alive`);
    expect(keepAlive.status).toBe(200);
  });

  it('counts transport connections that never finish the Socket.IO handshake, and closes them', async () => {
    const address = '203.0.113.60';
    const raw = (): Promise<WebSocket | null> =>
      new Promise((resolve) => {
        const socket = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, {
          headers: { 'x-forwarded-for': address },
        });
        socket.once('message', () => resolve(socket));
        socket.once('error', () => resolve(null));
        socket.once('unexpected-response', () => resolve(null));
      });
    const held = await Promise.all([raw(), raw(), raw(), raw()]);
    expect(held.every((socket) => socket !== null)).toBe(true);
    expect(await raw()).toBeNull();
    const refused = await new Promise<string>((resolve) => {
      const socket = io(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        extraHeaders: { 'x-forwarded-for': address },
      });
      socket.on('connect', () => resolve('connected'));
      socket.on('connect_error', () => resolve('refused'));
    });
    expect(refused).toBe('refused');
    // Never connected to a namespace: closed after HANDSHAKE_TIMEOUT_MS, and the address may connect again.
    await Promise.all(
      held.map(
        (socket) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('raw connection still open after 5 s')), 5_000);
            socket?.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    expect((await connect(address)).id).toMatch(/^[0-9a-z]{10}$/);
  });

  it('closes an HTTP connection whose headers never finish (408 after HTTP_HEADERS_TIMEOUT_MS)', async () => {
    const { port } = new URL(url);
    const outcome = await new Promise<string>((resolve) => {
      const socket = tcpConnect(Number(port), '127.0.0.1', () =>
        socket.write('GET /keep-alive HTTP/1.1\r\nHost: x\r\n'),
      );
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
      setTimeout(() => {
        socket.destroy();
        resolve('still open after 5 s');
      }, 5_000);
    });
    expect(outcome).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('answers a 25,000-deep message with payload_too_deep and logs no stack for it', async () => {
    const client = await connect('198.51.100.90');
    const frame = `23["signal",{"data":${'['.repeat(25_000)}"x"${']'.repeat(25_000)}}]`;
    (client.socket.io.engine as unknown as { write(data: string): void }).write(frame);
    expect(await client.next('error')).toMatchObject({ code: 'payload_too_deep' });
    const logs = await (await fetch(`${url}/logs?key=${LOG_KEY}`)).text();
    expect(logs).not.toMatch(/internal_error|RangeError/);
  });

  it('keeps participant ids out of the logs', async () => {
    const { code, hostId } = await pairedTransferRoom(url);
    await fetch(`${url}/api/rooms/${code}?participantId=${hostId}`);
    await fetch(`${url}/api/rooms/${code}/participants/${hostId}/ready`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const logs = await (await fetch(`${url}/logs?key=${LOG_KEY}`)).text();
    expect(logs).toContain(`/api/rooms/${code}/participants/[redacted]/ready`);
    expect(logs).toContain(`/api/rooms/${code}?participantId=[redacted]`);
    expect(logs).not.toContain(hostId);
  });

  it('strips control, bidi and zero-width characters from names', async () => {
    const client = await connect('198.51.100.91');
    expect(await client.request('register-details', { name: '\u202eevil\u0000 na\u200bme\u2066' })).toMatchObject({
      ok: true,
      data: { name: 'evil name' },
    });
    expect(await client.request('register-details', { name: '\u202e\u0000\u200b' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    const created = await fetch(`${url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.92' },
      body: JSON.stringify({ name: 'Host\u202e\u0007' }),
    });
    expect(((await created.json()) as { self: { name: string } }).self.name).toBe('Host');
  });

  it('refuses HTTP writes from a foreign origin (a cross-site form POST creates nothing)', async () => {
    const form = (origin: string) =>
      fetch(`${url}/api/rooms`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.93' },
        body: JSON.stringify({ name: 'Forged' }),
      });
    const forged = await form('https://evil.example');
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'Forbidden: Invalid Origin' });
    expect((await form('https://app.example')).status).toBe(201);
    expect((await form(PUBLIC_URL)).status).toBe(201);
  });

  it('takes the server’s own origin from PUBLIC_SERVER_URL, not from the Host header', async () => {
    const attempt = (origin: string) =>
      new Promise<string>((resolve) => {
        const socket = io(url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: { origin },
        });
        socket.on('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', () => resolve('refused'));
      });
    expect(await attempt(url)).toBe('refused');
    expect(await attempt(PUBLIC_URL)).toBe('connected');
  });
});

describe('security e2e: preview upload quotas', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({
      TRUSTED_PROXIES: '127.0.0.1',
      PREVIEW_DIR: mkdtempSync(join(tmpdir(), 'rv-previews-')),
      UPLOADS_PER_HOUR: '2',
      UPLOAD_BYTES_PER_HOUR: '200000',
      PREVIEW_DISK_BUDGET_BYTES: '100000',
    }));
  });
  afterAll(async () => app?.close());

  const upload = async (address: string, bytes: number) => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(bytes, 1)]), 'deck.pptx');
    const response = await fetch(`${url}/api/uploads`, {
      method: 'POST',
      body: form,
      headers: { 'x-forwarded-for': address },
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it('limits uploads per address (429 with Retry-After) and all previews to the disk budget (507)', async () => {
    const first = await upload('203.0.113.70', 40_000);
    expect(first.status).toBe(201);
    expect((await upload('203.0.113.70', 40_000)).status).toBe(201);
    const third = await upload('203.0.113.70', 1_000);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(60);
    // Over the address's bytes for the hour.
    expect((await upload('203.0.113.71', 250_000)).status).toBe(429);
    // Within the address's quota, over what the budget has left (80,000 of 100,000 bytes are used).
    const full = await upload('203.0.113.72', 30_000);
    expect(full).toMatchObject({ status: 507, body: { error: 'Preview storage is full; try again later.' } });

    const served = await fetch(first.body.url.replace(/^https?:\/\/[^/]+/, url));
    expect(served.status).toBe(200);
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; filename="?deck\.pptx"?$/);
  });

  it('needs a Content-Length to count an upload', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        `${url}/api/uploads`,
        {
          method: 'POST',
          headers: { 'content-type': 'multipart/form-data; boundary=x', 'transfer-encoding': 'chunked' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.write('--x\r\n');
      setTimeout(() => request.end(), 50);
    });
    expect(status).toBe(411);
  });
});

describe('security e2e: lockouts follow the address, not the socket', () => {
  it('keeps a fresh socket of a locked-out address locked out', async () => {
    const { app, url } = await startGatewayApp({ TRUSTED_PROXIES: '127.0.0.1', FAILED_JOINS_PER_MINUTE: '2' });
    try {
      const first = await TestClient.connect(url, { headers: { 'x-forwarded-for': '203.0.113.80' } });
      for (let i = 0; i < 2; i++) await first.request('join-flight', { flightCode: 'ZZZZZ2' });
      first.close();
      await sleep(50);
      const second = await TestClient.connect(url, { headers: { 'x-forwarded-for': '203.0.113.80' } });
      expect(await second.request('join-flight', { flightCode: 'ZZZZZ3' })).toMatchObject({
        ok: false,
        error: { code: 'too_many_attempts' },
      });
      second.close();
    } finally {
      await app.close();
    }
  });
});
