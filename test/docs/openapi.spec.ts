import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@rendezvous/config';
import { RendezvousModule } from '@rendezvous/server';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPENAPI_PATH, renderOpenApiDocument } from '../../tools/openapi.js';
import { repoRoot } from '../support/ports.js';

const checkedIn = readFileSync(join(repoRoot(), OPENAPI_PATH), 'utf8');
const document = parse(checkedIn) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, object> };
};

/** Collects the routes Nest maps ("Mapped {/api/rooms, POST} route"). */
class RouteCollector implements LoggerService {
  readonly routes: { path: string; method: string }[] = [];
  log(message: unknown): void {
    const mapped = /^Mapped \{(.+), (\w+)\} route/.exec(String(message));
    if (mapped) this.routes.push({ path: mapped[1]!, method: mapped[2]!.toLowerCase() });
  }
  error(): void {}
  warn(): void {}
}

describe('docs/openapi.yaml', () => {
  const collector = new RouteCollector();
  let app: INestApplication;
  let url: string;
  const ajv = new Ajv2020({ strict: false });
  for (const [name, schema] of Object.entries(document.components.schemas)) ajv.addSchema(schema, name);
  const expectShape = (name: string, body: unknown) => {
    const validate = ajv.getSchema(name)!;
    expect(validate(body), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rv-openapi-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: `file:${join(dir, 'rendezvous.db')}`,
      PREVIEW_DIR: join(dir, 'previews'),
      LOG_ACCESS_KEY: 'a-log-access-key-for-tests',
      LOG_LEVEL: 'error',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [RendezvousModule.forRoot({ config, logging: 'json', plainWebSockets: true })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: collector, rawBody: true });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('is what tools/openapi.ts gives (run `npm run docs:openapi` after changing it)', () => {
    expect(checkedIn).toBe(renderOpenApiDocument());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the gateway maps, and no route it does not', () => {
    const mapped = collector.routes
      .filter(({ path }) => !path.includes('*')) // the catch-all 404 of /api/rooms/*
      .map(({ path, method }) => ({ path: path.replace(/:(\w+)/g, '{$1}'), method }));
    expect(mapped.length).toBeGreaterThan(20);
    for (const { path, method } of mapped) {
      const documented = document.paths[path];
      expect(documented, `${path} is not documented`).toBeDefined();
      if (method !== 'all') expect(Object.keys(documented!), `${method} ${path}`).toContain(method);
    }
    for (const path of Object.keys(document.paths)) {
      expect(
        mapped.map((route) => route.path),
        `${path} is documented but not served`,
      ).toContain(path);
    }
  });

  it('matches what the routes answer', async () => {
    const get = async (path: string) => (await fetch(`${url}${path}`)).json();
    expectShape('Liveness', await get('/health/live'));
    expectShape('Readiness', await get('/health/ready'));
    expectShape('Stats', await get('/stats'));
    expectShape('Status', await get('/api/status'));
    expectShape('SeedHealth', await get('/health'));
    expectShape('SeedRooms', await get('/rooms'));
    expectShape('PublicRooms', await get('/api/rooms/public'));

    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post('/api/rooms', { name: 'Host' });
    expect(created.status).toBe(201);
    const host = (await created.json()) as { roomCode: string; self: { participantId: string } };
    expectShape('RoomSummary', host);
    const joined = await post(`/api/rooms/${host.roomCode}/join`, { name: 'Guest' });
    expect(joined.status).toBe(200);
    expectShape('RoomSummary', await joined.json());
    expectShape('RoomSummary', await get(`/api/rooms/${host.roomCode}?participantId=${host.self.participantId}`));
    const ready = await post(`/api/rooms/${host.roomCode}/participants/${host.self.participantId}/ready`, {
      fileCount: 1,
      totalBytes: 10,
    });
    expectShape('RoomSummary', await ready.json());
    const invalid = await post('/api/rooms', { name: '' });
    expect(invalid.status).toBe(400);
    expectShape('ValidationError', await invalid.json());
    const missing = await fetch(`${url}/api/rooms/ZZZZZZ?participantId=nobody`);
    expect(missing.status).toBe(404);
    expectShape('Error', await missing.json());
    const turn = await fetch(`${url}/api/turn-credentials`);
    expect(turn.status).toBe(501);
    expectShape('Error', await turn.json());
  });
});
