// Migration job: `npm run db:migrate` locally, or the image's migrate command once per deploy.
// Applies the checked-in migrations of the provider DATABASE_URL names (default: the embedded SQLite file).
import {
  applyMigrations,
  DEFAULT_DATABASE_URL,
  findPrismaRoot,
  migrationStatus,
  parseDatabaseUrl,
} from '@rendezvous/persistence';

const PRISMA_ROOT = findPrismaRoot();

async function main(): Promise<void> {
  const target = parseDatabaseUrl(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  if (process.argv.includes('--status')) {
    const status = await migrationStatus(target, PRISMA_ROOT);
    process.stdout.write(`${JSON.stringify({ provider: target.provider, ...status })}\n`);
    process.exitCode = status.pending.length > 0 ? 1 : 0;
    return;
  }
  const applied = await applyMigrations(target, PRISMA_ROOT);
  process.stdout.write(
    applied.length > 0
      ? `Applied ${applied.length} migration(s) to ${target.provider}: ${applied.join(', ')}\n`
      : `No pending migrations (${target.provider}).\n`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`Migration failed: ${error.message}\n`);
  process.exit(1);
});
