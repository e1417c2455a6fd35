import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, createDatabaseClient, findPrismaRoot, parseDatabaseUrl } from '@rendezvous/persistence';
import { describe, expect, it } from 'vitest';
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
});
