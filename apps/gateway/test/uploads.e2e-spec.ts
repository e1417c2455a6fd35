import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseClient } from '@rendezvous/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../../test/support/databases.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { abandonUpload, postUpload } from '../../../test/support/uploads.js';
import { eventually, sleep } from '../../../test/support/ports.js';

const MAX_BYTES = 100_000;

describe('preview uploads to local disk', () => {
  let app: INestApplication;
  let url: string;
  let db: DatabaseClient;
  let closeDb: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'rv-previews-'));

  const upload = (parts: [string, Blob | string, string?][]) => postUpload(url, parts);
  const files = () => readdirSync(dir);

  beforeAll(async () => {
    const database = await openSqlite('uploads');
    db = database.client;
    closeDb = database.close;
    ({ app, url } = await startGatewayApp({
      DATABASE_URL: database.databaseUrl,
      PREVIEW_DIR: dir,
      PREVIEW_MAX_BYTES: String(MAX_BYTES),
      // The gateway (standalone) runs the preview cleanup itself; often enough for the test to see it.
      PREVIEW_CLEANUP_INTERVAL_MINUTES: '0.01',
    }));
  });
  afterAll(async () => {
    await app?.close();
    await closeDb?.();
  });

  it('stores a .pptx, records it, and serves it back at its URL', async () => {
    const content = new Uint8Array(50_000).map((_, i) => i % 251);
    const { status, body } = await upload([['file', new Blob([content]), 'Quarterly Deck.pptx']]);
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: 'Quarterly Deck.pptx', size: 50_000 });
    expect(body.key).toMatch(/^[0-9a-f]{16}-Quarterly_Deck\.pptx$/);
    expect(body.url).toBe(`${url}/previews/${body.key}`);
    expect(files()).toContain(body.key);
    const row = await db.uploadedFile.findUnique({ where: { fileKey: String(body.key) } });
    expect(row).toMatchObject({ fileName: 'Quarterly Deck.pptx', fileUrl: body.url, storage: 'local' });
    expect(Number(row?.fileSize)).toBe(50_000);
    const served = await fetch(String(body.url));
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(content);
  });

  it('refuses what it must, leaving no file and no row', async () => {
    const before = { files: files().length, rows: await db.uploadedFile.count() };
    expect(await upload([['file', new Blob([new Uint8Array(MAX_BYTES + 1)]), 'big.pptx']])).toEqual({
      status: 413,
      body: { error: `The file is larger than ${MAX_BYTES} bytes.` },
    });
    expect(await upload([['file', new Blob([new Uint8Array(MAX_BYTES + 70_000)]), 'huge.pptx']])).toEqual({
      status: 413,
      body: { error: `The file is larger than ${MAX_BYTES} bytes.` },
    });
    expect(await upload([['file', new Blob(['MZ']), 'tool.exe']])).toEqual({
      status: 415,
      body: { error: 'Only .pptx files can be uploaded.' },
    });
    expect(await upload([['note', 'no file here']])).toEqual({
      status: 400,
      body: { error: 'No file in the upload.' },
    });
    const json = await fetch(`${url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'Expected a multipart/form-data body with one file.' });
    expect((await fetch(`${url}/previews/..%2Fsecret`)).status).toBe(404);
    expect((await fetch(`${url}/previews/missing.pptx`)).status).toBe(404);
    expect({ files: files().length, rows: await db.uploadedFile.count() }).toEqual(before);
  });

  it('removes the partial file of an upload whose client goes away', async () => {
    const before = { files: files().length, rows: await db.uploadedFile.count() };
    await abandonUpload(url);
    await sleep(500);
    expect({ files: files().length, rows: await db.uploadedFile.count() }).toEqual(before);
  });

  it('cleans up what was uploaded once it is past PREVIEW_RETENTION_HOURS: the file first, then its row', async () => {
    const keys = (await db.uploadedFile.findMany()).map((row) => row.fileKey);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(files()).toEqual(expect.arrayContaining(keys));
    await db.uploadedFile.updateMany({ data: { uploadedAt: new Date(Date.now() - 25 * 3_600_000) } });
    await eventually(async () => (await db.uploadedFile.count()) === 0, 'the expired rows to be pruned');
    expect(files()).toEqual([]);
  });
});
