import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresServer } from '../../../test/support/postgres-server.js';
import { repoRoot } from '../../../test/support/ports.js';
import { parseDatabaseUrl } from '../src/database-url.js';
import { applyMigrations, loadMigrations, migrationStatus } from '../src/migrator.js';

const PRISMA_ROOT = join(repoRoot(), 'prisma');
const TABLES = ['multiparty_rooms', 'rooms', 'uploaded_files'];

describe('checked-in schemas', () => {
  it('keep the same models for SQLite and PostgreSQL', () => {
    const models = (provider: string) => {
      const schema = readFileSync(join(PRISMA_ROOT, provider, 'schema.prisma'), 'utf8');
      return schema.slice(schema.indexOf('// --- models'));
    };
    expect(models('postgresql')).toBe(models('sqlite'));
    expect(models('sqlite')).toContain('model TransferRoom');
  });

  it('have one migration folder per provider with the same history', () => {
    const names = (provider: 'sqlite' | 'postgresql') => loadMigrations(PRISMA_ROOT, provider).map((m) => m.name);
    expect(names('sqlite')).toEqual(names('postgresql'));
    expect(names('sqlite').length).toBeGreaterThan(0);
  });
});

describe('parseDatabaseUrl', () => {
  it('reads SQLite files and PostgreSQL URLs, and names the variable on anything else', () => {
    expect(parseDatabaseUrl('file:./data/x.db', '/srv')).toEqual({ provider: 'sqlite', location: '/srv/data/x.db' });
    expect(parseDatabaseUrl('file:/var/lib/x.db')).toEqual({ provider: 'sqlite', location: '/var/lib/x.db' });
    expect(parseDatabaseUrl('postgres://u@h/db').provider).toBe('postgresql');
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(/DATABASE_URL/);
  });
});

describe('migrator on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file, applies pending migrations once and records them as Prisma does', async () => {
    const target = parseDatabaseUrl(`file:${join(dir, 'nested', 'rendezvous.db')}`);
    const migrations = loadMigrations(PRISMA_ROOT, 'sqlite');
    expect(await migrationStatus(target, PRISMA_ROOT)).toEqual({ applied: [], pending: migrations.map((m) => m.name) });

    expect(await applyMigrations(target, PRISMA_ROOT)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(target, PRISMA_ROOT)).toEqual([]);
    expect(await migrationStatus(target, PRISMA_ROOT)).toEqual({ applied: migrations.map((m) => m.name), pending: [] });

    const db = new Database(target.location, { readonly: true });
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]
    ).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));
    const recorded = db.prepare(`SELECT migration_name, checksum FROM "_prisma_migrations"`).all();
    const first = migrations[0];
    expect(recorded).toEqual([
      {
        migration_name: first?.name,
        checksum: createHash('sha256')
          .update(first?.sql ?? '')
          .digest('hex'),
      },
    ]);
    db.close();
  });
});

describe('migrator on PostgreSQL (throwaway server)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await PostgresServer.start();
  });
  afterAll(async () => server?.stop());

  it('applies pending migrations once and records them as Prisma does', async () => {
    const target = parseDatabaseUrl(server.createDatabase('migrate_once'));
    const names = loadMigrations(PRISMA_ROOT, 'postgresql').map((m) => m.name);
    expect((await migrationStatus(target, PRISMA_ROOT)).pending).toEqual(names);
    expect(await applyMigrations(target, PRISMA_ROOT)).toEqual(names);
    expect(await applyMigrations(target, PRISMA_ROOT)).toEqual([]);
    expect(await migrationStatus(target, PRISMA_ROOT)).toEqual({ applied: names, pending: [] });

    const client = new pg.Client({ connectionString: target.location });
    await client.connect();
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    await client.end();
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));
  });

  it('lets exactly one of two concurrent migrators apply each migration', async () => {
    const target = parseDatabaseUrl(server.createDatabase('migrate_race'));
    const [first, second] = await Promise.all([
      applyMigrations(target, PRISMA_ROOT),
      applyMigrations(target, PRISMA_ROOT),
    ]);
    const names = loadMigrations(PRISMA_ROOT, 'postgresql').map((m) => m.name);
    expect([...first, ...second].sort()).toEqual(names.sort());
  });
});
