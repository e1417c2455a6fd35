import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, createDatabaseClient, findPrismaRoot, parseDatabaseUrl } from '@rendezvous/persistence';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { eventually } from '../../../test/support/ports.js';

describe('standalone gateway runs the cleanup jobs itself', () => {
  it('deletes an expired transfer room at start, and keeps a live one', async () => {
    const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'rv-jobs-')), 'rendezvous.db')}`;
    const target = parseDatabaseUrl(databaseUrl);
    await applyMigrations(target, findPrismaRoot());
    const db = createDatabaseClient(target);
    await db.transferRoom.createMany({
      data: [
        { code: 'OLDRM2', hostParticipantId: 'h1', hostName: 'Gone', expiresAt: new Date(Date.now() - 1_000) },
        { code: 'NEWRM2', hostParticipantId: 'h2', hostName: 'Here', expiresAt: new Date(Date.now() + 600_000) },
      ],
    });
    const { app } = await startGatewayApp({ DATABASE_URL: databaseUrl });
    try {
      await eventually(async () => (await db.transferRoom.count()) === 1, 'expired room deleted', 5_000);
      expect((await db.transferRoom.findMany()).map((room) => room.code)).toEqual(['NEWRM2']);
    } finally {
      await app.close();
      await db.$disconnect();
    }
  });

  it('tells the sockets attached to a room it deletes, and frees them', async () => {
    const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'rv-jobs-')), 'rendezvous.db')}`;
    const db = createDatabaseClient(parseDatabaseUrl(databaseUrl));
    const { app, url } = await startGatewayApp({ DATABASE_URL: databaseUrl, ROOM_CLEANUP_INTERVAL_MINUTES: '0.01' });
    const clients: TestClient[] = [];
    try {
      const post = async (path: string, body: unknown) =>
        (await (
          await fetch(`${url}/api/rooms${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json()) as { roomCode: string; self: { participantId: string } };
      const hosted = await post('', { name: 'Host' });
      const joined = await post(`/${hosted.roomCode}/join`, { name: 'Guest' });
      const other = await post('', { name: 'Unrelated' });
      const host = await TestClient.connect(url);
      const guest = await TestClient.connect(url);
      const bystander = await TestClient.connect(url);
      clients.push(host, guest, bystander);
      await host.request('attach-room', { roomCode: hosted.roomCode, participantId: hosted.self.participantId });
      await guest.request('attach-room', { roomCode: hosted.roomCode, participantId: joined.self.participantId });
      await bystander.request('attach-room', { roomCode: other.roomCode, participantId: other.self.participantId });
      await guest.next('peer-joined');

      await db.transferRoom.update({ where: { code: hosted.roomCode }, data: { expiresAt: new Date(Date.now() - 1) } });
      expect(await host.next('room-expired')).toEqual({ roomCode: hosted.roomCode });
      expect(await guest.next('room-expired')).toEqual({ roomCode: hosted.roomCode });
      expect(await guest.request('create-flight')).toMatchObject({ ok: true });
      expect(bystander.count('room-expired')).toBe(0);
    } finally {
      for (const client of clients) client.close();
      await app.close();
      await db.$disconnect();
    }
  });
});
