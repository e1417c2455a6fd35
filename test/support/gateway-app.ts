import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@rendezvous/config';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureGateway, GATEWAY_APP_OPTIONS, RendezvousModule } from '@rendezvous/server';

/** The gateway in-process through @nestjs/testing, with the production adapter, on an ephemeral port. */
export async function startGatewayApp(
  env: Record<string, string> = {},
  argv: string[] = [],
): Promise<{ app: INestApplication; url: string }> {
  const databaseDir = mkdtempSync(join(tmpdir(), 'rv-db-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: `file:${join(databaseDir, 'rendezvous.db')}`,
      ...env,
    },
    argv,
  );
  const rendezvous = RendezvousModule.forRoot({ config, plainWebSockets: true, logging: 'json' });
  const moduleRef = await Test.createTestingModule({ imports: [rendezvous] }).compile();
  const app = moduleRef.createNestApplication({ ...GATEWAY_APP_OPTIONS, logger: ['error'] });
  configureGateway(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}
