import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, createDatabaseClient, findPrismaRoot, parseDatabaseUrl } from '@rendezvous/persistence';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { pairedTransferRoom } from '../../../test/support/transfer-rooms.js';
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
      const { code, hostId, guestId } = await pairedTransferRoom(url);
      const other = await pairedTransferRoom(url, { host: 'Unrelated', guest: 'Nobody' });
      const host = await TestClient.connect(url);
      const guest = await TestClient.connect(url);
      const bystander = await TestClient.connect(url);
      clients.push(host, guest, bystander);
      await host.request('attach-room', { roomCode: code, participantId: hostId });
      await guest.request('attach-room', { roomCode: code, participantId: guestId });
      await bystander.request('attach-room', { roomCode: other.code, participantId: other.hostId });
      await guest.next('peer-joined');

      await db.transferRoom.update({ where: { code: code }, data: { expiresAt: new Date(Date.now() - 1) } });
      expect(await host.next('room-expired')).toEqual({ roomCode: code });
      expect(await guest.next('room-expired')).toEqual({ roomCode: code });
      expect(await guest.request('create-flight')).toMatchObject({ ok: true });
      expect(bystander.count('room-expired')).toBe(0);
    } finally {
      for (const client of clients) client.close();
      await app.close();
      await db.$disconnect();
    }
  });
});
