import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresServer } from '../../../test/support/postgres-server.js';
import { repoRoot } from '../../../test/support/ports.js';
import { parseDatabaseUrl } from '../src/database-url.js';
import { applyMigrations, loadMigrations, migrationStatus } from '../src/migrator.js';

// docs/DEPLOYMENT.md lets operators check a database with Prisma's own CLI (`prisma migrate status`): it has to
// agree with the project's migrator, which writes Prisma's `_prisma_migrations` table.
const PRISMA_ROOT = join(repoRoot(), 'prisma');

/** `npm run db:prisma-status` as an operator runs it: the provider follows DATABASE_URL. */
function prismaMigrateStatus(url: string): { exitCode: number | null; output: string } {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'RV_PRISMA_PROVIDER'),
  );
  const result = spawnSync('npm', ['run', '--silent', 'db:prisma-status'], {
    cwd: repoRoot(),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, DATABASE_URL: url },
  });
  return { exitCode: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('prisma migrate status agrees with the migrator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-prisma-status-'));
  let server: PostgresServer;
  beforeAll(async () => {
    server = await PostgresServer.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on SQLite: up to date after the migrator ran, and the same migration pending when its record is gone', async () => {
    const url = `file:${join(dir, 'status.db')}`;
    const target = parseDatabaseUrl(url);
    const names = loadMigrations(PRISMA_ROOT, 'sqlite').map((migration) => migration.name);
    await applyMigrations(target, PRISMA_ROOT);
    expect(await migrationStatus(target, PRISMA_ROOT)).toEqual({ applied: names, pending: [] });
    const upToDate = prismaMigrateStatus(url);
    expect(upToDate.output).toContain('Database schema is up to date!');
    expect(upToDate.exitCode).toBe(0);

    const db = new Database(target.location);
    db.prepare(`DELETE FROM "_prisma_migrations" WHERE migration_name = ?`).run(names.at(-1));
    db.close();
    expect((await migrationStatus(target, PRISMA_ROOT)).pending).toEqual([names.at(-1)]);
    const behind = prismaMigrateStatus(url);
    expect(behind.output).toMatch(/not yet been applied/);
    expect(behind.output).toContain(names.at(-1));
    expect(behind.exitCode).toBe(1);
  });

  it('on PostgreSQL: up to date after the migrator ran, and the same migration pending when its record is gone', async () => {
    const url = server.createDatabase('prisma_status');
    const target = parseDatabaseUrl(url);
    const names = loadMigrations(PRISMA_ROOT, 'postgresql').map((migration) => migration.name);
    await applyMigrations(target, PRISMA_ROOT);
    const upToDate = prismaMigrateStatus(url);
    expect(upToDate.output).toContain('Database schema is up to date!');
    expect(upToDate.exitCode).toBe(0);

    const client = new pg.Client({ connectionString: target.location });
    await client.connect();
    await client.query(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1`, [names.at(-1)]);
    await client.end();
    expect((await migrationStatus(target, PRISMA_ROOT)).pending).toEqual([names.at(-1)]);
    const behind = prismaMigrateStatus(url);
    expect(behind.output).toMatch(/not yet been applied/);
    expect(behind.output).toContain(names.at(-1));
    expect(behind.exitCode).toBe(1);
  });
});
