import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig, redactedUrl } from '@rendezvous/config';
import { createDatabaseClient, type DatabaseClient } from './database.client.js';
import { type DatabaseTarget, parseDatabaseUrl } from './database-url.js';
import { applyMigrations, migrationStatus } from './migrator.js';
import { findPrismaRoot } from './prisma-root.js';

/**
 * The database connection. SQLite (the embedded default) is created and migrated on start; PostgreSQL must
 * already be migrated (`npm run db:migrate`, once per deploy), and a start on a database that lacks migrations
 * fails with a message naming that command.
 */
@Injectable()
export class PrismaService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Database');
  readonly target: DatabaseTarget;
  readonly client: DatabaseClient;

  constructor(@Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig) {
    this.target = parseDatabaseUrl(config.database.url);
    this.client = createDatabaseClient(this.target);
  }

  async onModuleInit(): Promise<void> {
    const where = redactedUrl(this.config.database.url);
    const prismaRoot = findPrismaRoot();
    if (this.target.provider === 'sqlite') {
      const applied = await applyMigrations(this.target, prismaRoot);
      if (applied.length > 0) this.logger.log(`Migrated ${where}: ${applied.join(', ')}`);
    } else {
      const { pending } = await migrationStatus(this.target, prismaRoot);
      if (pending.length > 0) {
        throw new Error(
          `Database ${where} is missing migrations (${pending.join(', ')}): run \`npm run db:migrate\` first`,
        );
      }
    }
    await this.client.$connect();
    await this.ping();
  }

  async ping(): Promise<void> {
    await this.client.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.$disconnect();
  }
}
