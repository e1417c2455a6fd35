import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyMigrations,
  createDatabaseClient,
  type DatabaseClient,
  findPrismaRoot,
  parseDatabaseUrl,
} from '@rendezvous/persistence';
import { PostgresServer } from './postgres-server.js';

export interface OpenDatabase {
  client: DatabaseClient;
  close(): Promise<void>;
}

/** A migrated SQLite file in a temp dir. */
export async function openSqlite(label: string): Promise<OpenDatabase> {
  const target = parseDatabaseUrl(`file:${join(mkdtempSync(join(tmpdir(), `rv-${label}-`)), 'rooms.db')}`);
  await applyMigrations(target, findPrismaRoot());
  const client = createDatabaseClient(target);
  return { client, close: () => client.$disconnect() };
}

/** A migrated database on a throwaway PostgreSQL server, stopped by `close()`. */
export async function openPostgres(name: string): Promise<OpenDatabase> {
  const server = await PostgresServer.start();
  const target = parseDatabaseUrl(server.createDatabase(name));
  await applyMigrations(target, findPrismaRoot());
  const client = createDatabaseClient(target);
  return {
    client,
    close: async () => {
      await client.$disconnect();
      await server.stop();
    },
  };
}
