import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type DatabaseProvider = 'sqlite' | 'postgresql';

/** The embedded default: a SQLite file under ./data, created on first start. */
export const DEFAULT_DATABASE_URL = 'file:./data/rendezvous.db';

export interface DatabaseTarget {
  provider: DatabaseProvider;
  /** For SQLite: the absolute file path. For PostgreSQL: the connection string as given. */
  location: string;
}

/** Parses DATABASE_URL: `file:` (SQLite) or `postgres://` / `postgresql://` (PostgreSQL). */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('DATABASE_URL: a file: URL needs a path, e.g. file:./data/rendezvous.db');
    return { provider: 'sqlite', location: resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', location: url };
  throw new Error('DATABASE_URL: must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)');
}

/** Creates the folder of a SQLite file, so a fresh checkout starts without any preparation. */
export function ensureSqliteFolder(target: DatabaseTarget): void {
  if (target.provider === 'sqlite') mkdirSync(dirname(target.location), { recursive: true });
}
