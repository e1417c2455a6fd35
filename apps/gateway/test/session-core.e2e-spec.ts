import type { INestApplication } from '@nestjs/common';
import { Client, type ClientLink, FlightSessions, RoomSessions, SessionLifecycle } from '@rendezvous/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';

/** A binding of this test's own: what it is sent is kept in order; closing it reports the close as a binding must. */
class RecordingLink implements ClientLink {
  readonly received: { event: string; payload: unknown }[] = [];
  isOpen = true;
  readonly resumable = false;
  readonly protocol = 'recorded';
  onClose: () => void = () => undefined;

  send(event: string, payload: unknown): void {
    this.received.push({ event, payload });
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.onClose();
  }

  async next(event: string, timeoutMs = 3_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((entry) => entry.event === event);
      if (index >= 0) return this.received.splice(index, 1)[0]?.payload;
      if (Date.now() > deadline) throw new Error(`no ${event} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

// The domain talks to clients only through the core (Client, SessionLifecycle and the commands): a client of
// another binding meets Socket.IO clients in the same flights and rooms with no change to the domain.
describe('the session core, driven by a binding other than Socket.IO', () => {
  let app: INestApplication;
  let url: string;
  let lifecycle: SessionLifecycle;

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp());
    lifecycle = app.get(SessionLifecycle);
  });
  afterAll(async () => app?.close());

  async function connectRecorded(address = '127.0.0.1'): Promise<{ client: Client; link: RecordingLink }> {
    const link = new RecordingLink();
    const client = new Client(link, address);
    link.onClose = () => lifecycle.disconnect(client);
    const connected = await lifecycle.connect(client, null, () => undefined);
    if (!connected) throw new Error('not connected');
    return { client, link };
  }

  it('pairs a recorded client with a Socket.IO client in a flight, relays both ways, and announces its departure', async () => {
    const flights = app.get(FlightSessions);
    const { client, link } = await connectRecorded();
    const code = await flights.createFlight(client);
    const guest = await TestClient.connect(url);
    const joined = await guest.request<{ peer: { id: string } }>('join-flight', { flightCode: code });
    expect(joined).toMatchObject({ ok: true, data: { peer: { id: client.sessionId } } });
    expect(await link.next('peer-joined')).toMatchObject({ flightCode: code, peer: { id: guest.id } });

    expect(flights.relaySignal(client, { sdp: 'offer' })).toEqual({
      flightCode: code,
      forwarded: true,
      delivery: 'delivered',
      seq: 1,
    });
    expect(await guest.next('signal')).toEqual({
      from: client.sessionId,
      data: { sdp: 'offer' },
      seq: 1,
    });
    guest.emit('signal', { data: { sdp: 'answer' } });
    expect(await link.next('signal')).toEqual({
      from: guest.id,
      data: { sdp: 'answer' },
      seq: 1,
    });

    link.close();
    expect(await guest.next('peer-left')).toMatchObject({ flightCode: code, peerId: client.sessionId });
    await lifecycle.settled();
    expect(lifecycle.clients()).not.toContain(client);
    guest.close();
  });

  it('meets Socket.IO members in a multiparty room and is told who joins', async () => {
    const rooms = app.get(RoomSessions);
    const { client, link } = await connectRecorded();
    const joined = await rooms.join(client, { roomId: 'core-room', name: 'recorded' });
    expect(joined).toMatchObject({ roomId: 'core-room', self: { id: client.sessionId, username: 'recorded' } });

    const member = await TestClient.connect(url);
    const answer = await member.request('join-room', { roomId: 'core-room', name: 'socket' });
    expect(answer.ok).toBe(true);
    await expect
      .poll(() => link.received.some((entry) => JSON.stringify(entry.payload).includes(member.id ?? '?')))
      .toBe(true);
    member.emit('offer', { receiver: client.sessionId, data: { sdp: 'o' } });
    expect(await link.next('offer')).toEqual({
      sender: member.id,
      receiver: client.sessionId,
      data: { sdp: 'o' },
      seq: expect.any(Number),
    });

    link.close();
    expect(
      await member.next('room-info', (info: { clients: { id: string }[] }) => info.clients.length === 1),
    ).toBeTruthy();
    member.close();
  });
});
