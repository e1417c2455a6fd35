import { Injectable } from '@nestjs/common';

/** The application's own settings (here from its environment, as most Nest applications read theirs). */
@Injectable()
export class Settings {
  readonly port = Number(process.env.PORT ?? 3000);
  readonly redisUrl = process.env.REDIS_URL;
  readonly databaseUrl = process.env.DATABASE_URL ?? 'file:./data/example.db';
  readonly appName = process.env.APP_NAME ?? 'Example app';
}
