import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { logLinesOf } from '../../../test/support/log-lines.js';
import { PlainWsClient } from '../../../test/support/plain-ws-client.js';
import { eventually } from '../../../test/support/ports.js';
import { RedisServer } from '../../../test/support/redis-server.js';
import { Replica } from '../../../test/support/replica.js';

const storiesIn = (output: string) =>
  logLinesOf(output)
    .filter((line) => line.msg === 'FLIGHT STORY COMPLETE')
    .map((line) => line.story as Record<string, any>);

describe('flight stories across replicas', () => {
  let redis: RedisServer;
  let one: Replica;
  let two: Replica;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, NO_COLOR: '1' };
    [one, two] = await Promise.all([Replica.start('story-1', env), Replica.start('story-2', env)]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.stop();
  });

  it('logs one FLIGHT STORY COMPLETE, assembled from both replicas, when the flight ends', async () => {
    const host = await TestClient.connect(one.url);
    const guest = await TestClient.connect(two.url);
    const created = await host.request<{ flightCode: string }>('create-flight');
    if (!created.ok) throw new Error('create-flight failed');
    const code = created.data.flightCode;
    await guest.request('join-flight', { flightCode: code });
    await host.next('peer-joined');
    for (let i = 0; i < 3; i++) host.emit('signal', { data: { from: 'host', i } });
    for (let i = 0; i < 2; i++) guest.emit('signal', { data: { from: 'guest', i } });
    await eventually(() => guest.count('signal') === 3 && host.count('signal') === 2, 'the signals');

    // The guest leaves on replica two, then the host's socket closes on replica one: one ends the flight.
    await guest.request('leave-flight');
    host.close();
    const story = await eventually(
      () => storiesIn(one.process.output).find((entry) => entry.flightCode === code),
      'the story in replica one’s log',
    );
    expect(story).toMatchObject({
      flightCode: code,
      participants: [
        { id: host.id, name: host.name, replica: 'story-1' },
        { id: guest.id, name: guest.name, replica: 'story-2' },
      ],
      connectionType: 'lan',
      replicas: ['story-1', 'story-2'],
      signalsExchanged: 5,
      ended: { by: host.id, how: 'disconnected' },
    });
    expect(story.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(story.endedAt)).toBeGreaterThanOrEqual(Date.parse(story.createdAt));
    // Told once, by the replica that ended the flight.
    expect(storiesIn(two.process.output).filter((entry) => entry.flightCode === code)).toEqual([]);
    guest.close();
  });

  it('tells the story of a flight between a DropSilk plain-WebSocket host and a Socket.IO guest', async () => {
    const host = await PlainWsClient.open(one.url);
    const hostId = String((await host.next('registered')).id);
    host.send({ type: 'create-flight' });
    const code = String((await host.next('flight-created')).flightCode);
    const guest = await TestClient.connect(two.url);
    await guest.request('join-flight', { flightCode: code });
    await host.next('peer-joined');
    for (let i = 0; i < 4; i++) host.send({ type: 'signal', data: { i } });
    guest.emit('signal', { data: 'back' });
    await eventually(() => guest.count('signal') === 4, 'the signals');
    await host.next('signal');
    // The guest leaves first; the host's socket closing then ends the flight on replica one.
    await guest.request('leave-flight');
    host.close();
    const story = await eventually(
      () => storiesIn(one.process.output).find((entry) => entry.flightCode === code),
      'the story in replica one’s log',
    );
    expect(story).toMatchObject({
      participants: [
        { id: hostId, replica: 'story-1' },
        { id: guest.id, replica: 'story-2' },
      ],
      signalsExchanged: 5,
      ended: { by: hostId, how: 'disconnected' },
    });
    guest.close();
  });
});
