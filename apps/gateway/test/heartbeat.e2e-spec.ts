import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

describe('heartbeats (WS_HEALTH_CHECK_INTERVAL_MS, WS_PING_TIMEOUT_MS)', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ WS_HEALTH_CHECK_INTERVAL_MS: '1000', WS_PING_TIMEOUT_MS: '1000' }));
  });
  afterAll(async () => app?.close());

  it('removes a client that stops answering pings, and tells its flight peer', async () => {
    const host = await TestClient.connect(url);
    const guest = await TestClient.connect(url);
    const created = await host.request<{ flightCode: string }>('create-flight');
    if (!created.ok) throw new Error('create-flight failed');
    await guest.request('join-flight', { flightCode: created.data.flightCode });
    await host.next('peer-joined');

    // The guest's machine goes silent: its TCP connection stays open but nothing it receives is read or answered.
    const transport = guest.socket.io.engine.transport as unknown as {
      ws?: { _socket?: { pause(): void; destroy(): void } };
    };
    const raw = transport.ws?._socket;
    if (!raw) throw new Error('no raw socket to pause');
    const silencedAt = Date.now();
    raw.pause();

    expect(await host.next('peer-left', () => true, 6_000)).toMatchObject({
      flightCode: created.data.flightCode,
      peerId: guest.id,
    });
    // Not before a ping went unanswered for its timeout, and not much after.
    const elapsed = Date.now() - silencedAt;
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(4_500);
    host.close();
    raw.destroy();
    guest.close();
  });
});
