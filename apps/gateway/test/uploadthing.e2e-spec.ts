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
import { UploadThingStandIn } from '../../../test/support/uploadthing-stand-in.js';

const MAX_BYTES = 100_000;
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('preview uploads to UploadThing (through its server SDK, against a local stand-in)', () => {
  let app: INestApplication;
  let url: string;
  let db: DatabaseClient;
  let closeDb: () => Promise<void>;
  let standIn: UploadThingStandIn;
  const previewDir = mkdtempSync(join(tmpdir(), 'rv-ut-previews-'));
  const spooled = () => {
    try {
      return readdirSync(join(previewDir, '.incoming'));
    } catch {
      return [];
    }
  };
  const state = async () => ({ stored: standIn.files.size, rows: await db.uploadedFile.count(), spooled: spooled() });

  beforeAll(async () => {
    standIn = await UploadThingStandIn.start();
    const database = await openSqlite('uploadthing');
    db = database.client;
    closeDb = database.close;
    ({ app, url } = await startGatewayApp({
      ...standIn.env,
      DATABASE_URL: database.databaseUrl,
      PREVIEW_DIR: previewDir,
      PREVIEW_MAX_BYTES: String(MAX_BYTES),
      // The gateway (standalone) runs the preview cleanup itself; often enough for the test to see it.
      PREVIEW_CLEANUP_INTERVAL_MINUTES: '0.01',
    }));
  });
  afterAll(async () => {
    await app?.close();
    await closeDb?.();
    await standIn?.stop();
  });

  describe('POST /api/uploads with PREVIEW_STORAGE uploadthing', () => {
    const upload = (parts: [string, Blob | string, string?][]) => postUpload(url, parts);

    it('stores the file on UploadThing and records its UploadThing key and URL', async () => {
      const content = new Uint8Array(60_000).map((_, i) => (i * 7) % 256);
      const { status, body } = await upload([['file', new Blob([content]), 'Board Deck.pptx']]);
      expect(status).toBe(201);
      expect(body).toMatchObject({ name: 'Board Deck.pptx', size: 60_000 });
      const stored = standIn.files.get(String(body.key));
      expect(stored).toMatchObject({ name: 'Board Deck.pptx', size: 60_000, type: PPTX });
      expect(new Uint8Array(stored!.bytes)).toEqual(content);
      expect(body.url).toBe(`${standIn.url}/f/${String(body.key)}`);
      const row = await db.uploadedFile.findUnique({ where: { fileKey: String(body.key) } });
      expect(row).toMatchObject({ fileName: 'Board Deck.pptx', fileUrl: body.url, storage: 'uploadthing' });
      expect(new Uint8Array(await (await fetch(String(body.url))).arrayBuffer())).toEqual(content);
      // UploadThing serves it; the gateway does not.
      expect((await fetch(`${url}/previews/${String(body.key)}`)).status).toBe(404);
      expect(spooled()).toEqual([]);
    });

    it('refuses what it must, and an unavailable UploadThing, leaving no file, no row and no spooled file', async () => {
      const before = await state();
      expect(await upload([['file', new Blob([new Uint8Array(MAX_BYTES + 1)]), 'big.pptx']])).toEqual({
        status: 413,
        body: { error: `The file is larger than ${MAX_BYTES} bytes.` },
      });
      expect(await upload([['file', new Blob(['#!/bin/sh']), 'run.sh']])).toEqual({
        status: 415,
        body: { error: 'Only .pptx files can be uploaded.' },
      });
      expect(await upload([['note', 'nothing attached']])).toEqual({
        status: 400,
        body: { error: 'No file in the upload.' },
      });
      standIn.ingestFailure = 503;
      try {
        expect(await upload([['file', new Blob([new Uint8Array(1_000)]), 'deck.pptx']])).toEqual({
          status: 502,
          body: { error: 'The preview storage is unavailable; try again later.' },
        });
      } finally {
        standIn.ingestFailure = null;
      }
      expect(await state()).toEqual(before);
    });

    it('sends nothing to UploadThing for an upload whose client goes away', async () => {
      const before = await state();
      await abandonUpload(url);
      await sleep(500);
      expect(await state()).toEqual(before);
    });
  });

  describe("DropSilk's /api/uploadthing route for UploadThing's client", () => {
    const route = (query: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/uploadthing?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-uploadthing-version': '7.7.4', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const requestUpload = (files: { name: string; size: number; type: string }[]) =>
      route('actionType=upload&slug=previewUpload', {
        files: files.map((file) => ({ ...file, lastModified: Date.now() })),
        input: null,
      });
    const putToIngest = (presignedUrl: string, bytes: Uint8Array, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), name);
      return fetch(presignedUrl, { method: 'PUT', body: form });
    };

    it('describes the route: one .pptx up to PREVIEW_MAX_BYTES', async () => {
      const response = await fetch(`${url}/api/uploadthing`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([
        {
          slug: 'previewUpload',
          config: {
            [PPTX]: expect.objectContaining({ maxFileSize: `${MAX_BYTES}B`, maxFileCount: 1, minFileCount: 1 }),
          },
        },
      ]);
    });

    it('hands out a presigned URL, and records the file once UploadThing calls back with a valid signature', async () => {
      const bytes = new Uint8Array(40_000).map((_, i) => i % 199);
      const presign = await requestUpload([{ name: 'Launch.pptx', size: bytes.length, type: PPTX }]);
      expect(presign.status).toBe(200);
      const [presigned] = (await presign.json()) as { url: string; key: string; name: string }[];
      expect(presigned).toMatchObject({ name: 'Launch.pptx', customId: null });
      expect(presigned!.url.startsWith(`${standIn.url}/${presigned!.key}?`)).toBe(true);
      expect(await db.uploadedFile.findUnique({ where: { fileKey: presigned!.key } })).toBeNull();

      const ingest = await putToIngest(presigned!.url, bytes, 'Launch.pptx');
      expect(ingest.status).toBe(200);
      const uploaded = (await ingest.json()) as { ufsUrl: string; serverData: unknown };
      // awaitServerData: the uploader gets what onUploadComplete returned, after the row was written.
      expect(uploaded.serverData).toEqual({ key: presigned!.key, url: uploaded.ufsUrl });
      const row = await db.uploadedFile.findUnique({ where: { fileKey: presigned!.key } });
      expect(row).toMatchObject({ fileName: 'Launch.pptx', fileUrl: uploaded.ufsUrl, storage: 'uploadthing' });
      expect(Number(row?.fileSize)).toBe(bytes.length);
    });

    it('refuses wrong types, names, sizes and counts before anything is uploaded', async () => {
      const before = await state();
      const refusal = async (response: Response) => ({
        status: response.status,
        message: ((await response.json()) as { message: string }).message,
      });
      expect(await refusal(await requestUpload([{ name: 'notes.txt', size: 10, type: 'text/plain' }]))).toEqual({
        status: 400,
        message: 'Only .pptx files can be uploaded.',
      });
      expect(await refusal(await requestUpload([{ name: 'notes.pptx', size: 10, type: 'text/plain' }]))).toEqual({
        status: 400,
        message: 'Invalid config: InvalidFileType',
      });
      expect(await refusal(await requestUpload([{ name: 'tool.exe', size: 10, type: PPTX }]))).toEqual({
        status: 400,
        message: 'Only .pptx files can be uploaded.',
      });
      expect(await refusal(await requestUpload([{ name: 'big.pptx', size: MAX_BYTES + 1, type: PPTX }]))).toEqual({
        status: 400,
        message: 'Invalid config: FileSizeMismatch',
      });
      const two = [
        { name: 'a.pptx', size: 10, type: PPTX },
        { name: 'b.pptx', size: 10, type: PPTX },
      ];
      expect(await refusal(await requestUpload(two))).toEqual({
        status: 400,
        message: 'Invalid config: FileCountMismatch',
      });
      expect(
        await refusal(await route('actionType=upload&slug=everything', { files: two.slice(0, 1), input: null })),
      ).toEqual({ status: 404, message: 'No file route found for slug everything' });
      expect((await route('actionType=upload&slug=previewUpload', '{"files":')).status).toBe(400);
      expect(await state()).toEqual(before);
    });

    it('records nothing for a forged callback or for a body that does not match its presigned size', async () => {
      const before = await state();
      const forged = JSON.stringify({
        status: 'uploaded',
        file: {
          name: 'evil.pptx',
          size: 1,
          type: PPTX,
          customId: null,
          key: 'forged-key',
          url: 'http://evil.example/f/forged-key',
          appUrl: 'http://evil.example/f/forged-key',
          ufsUrl: 'http://evil.example/f/forged-key',
          fileHash: 'x',
        },
        origin: 'http://evil.example',
        metadata: {},
      });
      const callback = await route('slug=previewUpload', forged, {
        'uploadthing-hook': 'callback',
        'x-uploadthing-signature': `hmac-sha256=${'0'.repeat(64)}`,
      });
      expect(callback.status).toBe(400);
      expect(((await callback.json()) as { message: string }).message).toBe('Invalid signature');

      const presign = await requestUpload([{ name: 'small.pptx', size: 10, type: PPTX }]);
      const [presigned] = (await presign.json()) as { url: string; key: string }[];
      const ingest = await putToIngest(presigned!.url, new Uint8Array(5_000), 'small.pptx');
      expect(ingest.status).toBe(400);
      expect(await state()).toEqual(before);
    });

    it('answers 405 to other methods', async () => {
      expect((await fetch(`${url}/api/uploadthing`, { method: 'DELETE' })).status).toBe(405);
    });
  });

  it('cleans up what was uploaded once it is past PREVIEW_RETENTION_HOURS: in UploadThing first, then the rows', async () => {
    const keys = (await db.uploadedFile.findMany()).map((row) => row.fileKey);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys.every((key) => standIn.files.has(key))).toBe(true);
    const [kept, ...expired] = keys;
    standIn.undeletable.add(kept!);
    await db.uploadedFile.updateMany({ data: { uploadedAt: new Date(Date.now() - 25 * 3_600_000) } });
    await eventually(async () => (await db.uploadedFile.count()) === 1, 'the expired rows to be pruned');
    expect((await db.uploadedFile.findMany()).map((row) => row.fileKey)).toEqual([kept]);
    expect(expired.some((key) => standIn.files.has(key))).toBe(false);
    expect(standIn.deleteRequests.flat()).toEqual(expect.arrayContaining(expired));
    // Once UploadThing deletes it, the last row goes too.
    standIn.undeletable.delete(kept!);
    await eventually(async () => (await db.uploadedFile.count()) === 0, 'the last row to be pruned');
    expect(standIn.files.size).toBe(0);
  });
});
