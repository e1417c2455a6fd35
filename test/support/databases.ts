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
  /** The DATABASE_URL of this database, for a gateway or scheduler to use. */
  databaseUrl: string;
  close(): Promise<void>;
}

/** A migrated SQLite file in a temp dir. */
export async function openSqlite(label: string): Promise<OpenDatabase> {
  const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), `rv-${label}-`)), 'rendezvous.db')}`;
  const target = parseDatabaseUrl(databaseUrl);
  await applyMigrations(target, findPrismaRoot());
  const client = createDatabaseClient(target);
  return { client, databaseUrl, close: () => client.$disconnect() };
}

/** A migrated database on a throwaway PostgreSQL server, stopped by `close()`. */
export async function openPostgres(name: string): Promise<OpenDatabase> {
  const server = await PostgresServer.start();
  const databaseUrl = server.createDatabase(name);
  const target = parseDatabaseUrl(databaseUrl);
  await applyMigrations(target, findPrismaRoot());
  const client = createDatabaseClient(target);
  return {
    client,
    databaseUrl,
    close: async () => {
      await client.$disconnect();
      await server.stop();
    },
  };
}
