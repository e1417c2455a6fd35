// Prisma CLI configuration. Prisma runs offline here through its JS engine and a driver adapter (DESIGN.md):
// RV_PRISMA_PROVIDER picks the schema (sqlite | postgresql); DATABASE_URL the database when one is needed.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

const provider = process.env.RV_PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: `prisma/${provider}/schema.prisma`,
  async adapter() {
    const url = process.env.DATABASE_URL ?? (provider === 'sqlite' ? 'file:./data/rendezvous.db' : '');
    return provider === 'sqlite' ? new PrismaBetterSQLite3({ url }) : new PrismaPg({ connectionString: url });
  },
});
