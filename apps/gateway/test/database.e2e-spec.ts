import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, findPrismaRoot, migrationStatus, parseDatabaseUrl } from '@rendezvous/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { PostgresServer } from '../../../test/support/postgres-server.js';
import { Replica, runEntrypoint } from '../../../test/support/replica.js';

describe('gateway and its database', () => {
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await PostgresServer.start();
  });
  afterAll(async () => postgres?.stop());

  it('creates and migrates the embedded SQLite file on the first standalone start', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rv-first-start-')), 'data', 'rendezvous.db');
    const { app, url } = await startGatewayApp({ DATABASE_URL: `file:${file}` });
    try {
      expect(existsSync(file)).toBe(true);
      expect((await migrationStatus(parseDatabaseUrl(`file:${file}`), findPrismaRoot())).pending).toEqual([]);
      const ready = await fetch(`${url}/health/ready`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
    } finally {
      await app.close();
    }
  });

  it('refuses to start on an unmigrated PostgreSQL database, naming npm run db:migrate', () => {
    const databaseUrl = postgres.createDatabase('unmigrated');
    const result = runEntrypoint({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is missing migrations');
    expect(result.stderr).toContain('npm run db:migrate');
  });

  it('starts on a migrated PostgreSQL database and reports it ready', async () => {
    const databaseUrl = postgres.createDatabase('migrated');
    await applyMigrations(parseDatabaseUrl(databaseUrl), findPrismaRoot());
    const replica = await Replica.start('pg-replica', { DATABASE_URL: databaseUrl });
    try {
      const ready = await fetch(`${replica.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { database: 'ok' } });
    } finally {
      await replica.stop();
    }
  });
});
