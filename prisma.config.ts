// Prisma CLI configuration. Prisma runs offline here through its JS engine and a driver adapter (DESIGN.md):
// DATABASE_URL names the database (and so the schema: sqlite | postgresql, or RV_PRISMA_PROVIDER).
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// RV_PRISMA_PROVIDER picks the schema; without it, DATABASE_URL's scheme does.
const provider =
  (process.env.RV_PRISMA_PROVIDER ??
    (/^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '') ? 'postgresql' : 'sqlite')) === 'postgresql'
    ? 'postgresql'
    : 'sqlite';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: `prisma/${provider}/schema.prisma`,
  async adapter() {
    const url = process.env.DATABASE_URL ?? (provider === 'sqlite' ? 'file:./data/rendezvous.db' : '');
    return provider === 'sqlite' ? new PrismaBetterSQLite3({ url }) : new PrismaPg({ connectionString: url });
  },
});
