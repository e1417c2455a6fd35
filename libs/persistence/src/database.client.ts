import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresPrismaClient } from '../../../generated/prisma-postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from '../../../generated/prisma-sqlite/client.js';
import type { DatabaseTarget } from './database-url.js';

/**
 * The Prisma client type repositories use. Both providers are generated from identical models (a test compares
 * the schemas), so the PostgreSQL client has the same model API as the SQLite one.
 */
export type DatabaseClient = InstanceType<typeof SqlitePrismaClient>;

/** A Prisma client on the JS query engine with the driver adapter of the target's provider: no native engine. */
export function createDatabaseClient(target: DatabaseTarget): DatabaseClient {
  if (target.provider === 'sqlite') {
    return new SqlitePrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${target.location}` }) });
  }
  const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: target.location }) });
  return client as unknown as DatabaseClient;
}
