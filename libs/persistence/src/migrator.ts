import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type DatabaseProvider, type DatabaseTarget, ensureSqliteFolder } from './database-url.js';

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of migration.sql, as Prisma records it. */
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/**
 * Prisma's own bookkeeping table, created with Prisma's DDL: migrations applied here are recognised by
 * `prisma migrate status` / `deploy` on the same folder, and the other way round.
 */
const PRISMA_MIGRATIONS_DDL: Record<DatabaseProvider, string> = {
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
};

/** The checked-in migrations of one provider (prisma/<provider>/migrations), oldest first. */
export function loadMigrations(migrationsRoot: string, provider: DatabaseProvider): Migration[] {
  const folder = join(migrationsRoot, provider, 'migrations');
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(folder, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Minimal SQL access shared by both providers. */
interface MigrationConnection {
  exec(sql: string): Promise<void>;
  appliedNames(): Promise<string[]>;
  record(migration: Migration): Promise<void>;
  /** Runs `work` while holding a lock that keeps a second migrator out. */
  locked<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function sqliteConnection(path: string): MigrationConnection {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  return {
    exec: async (sql) => void db.exec(sql),
    appliedNames: async () => {
      db.exec(PRISMA_MIGRATIONS_DDL.sqlite);
      return (
        db
          .prepare(
            `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .all() as { migration_name: string }[]
      ).map((row) => row.migration_name);
    },
    record: async (migration) => {
      db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      ).run(randomUUID(), migration.checksum, Date.now(), migration.name, Date.now());
    },
    locked: async (work) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => void db.close(),
  };
}

async function postgresConnection(url: string): Promise<MigrationConnection> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    exec: async (sql) => void (await client.query(sql)),
    appliedNames: async () => {
      await client.query(PRISMA_MIGRATIONS_DDL.postgresql);
      const result = await client.query<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      return result.rows.map((row) => row.migration_name);
    },
    record: async (migration) => {
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
    },
    locked: async (work) => {
      // Transactional DDL: a failed migration leaves nothing behind; the advisory lock serialises migrators.
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(72707369)');
        const result = await work();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    close: () => client.end(),
  };
}

async function connect(target: DatabaseTarget): Promise<MigrationConnection> {
  if (target.provider === 'sqlite') {
    ensureSqliteFolder(target);
    return sqliteConnection(target.location);
  }
  return postgresConnection(target.location);
}

/** Which checked-in migrations the database has, and which it lacks. */
export async function migrationStatus(target: DatabaseTarget, migrationsRoot: string): Promise<MigrationStatus> {
  const migrations = loadMigrations(migrationsRoot, target.provider);
  const connection = await connect(target);
  try {
    const applied = new Set(await connection.appliedNames());
    return {
      applied: migrations.filter((m) => applied.has(m.name)).map((m) => m.name),
      pending: migrations.filter((m) => !applied.has(m.name)).map((m) => m.name),
    };
  } finally {
    await connection.close();
  }
}

/** Applies every pending migration in order, each recorded in `_prisma_migrations`; returns their names. */
export async function applyMigrations(target: DatabaseTarget, migrationsRoot: string): Promise<string[]> {
  const migrations = loadMigrations(migrationsRoot, target.provider);
  const connection = await connect(target);
  try {
    return await connection.locked(async () => {
      const applied = new Set(await connection.appliedNames());
      const done: string[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.name)) continue;
        await connection.exec(migration.sql);
        await connection.record(migration);
        done.push(migration.name);
      }
      return done;
    });
  } finally {
    await connection.close();
  }
}
