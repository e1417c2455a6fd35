import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskStorage, loadUploadThingStorage, PreviewCleanup } from '@rendezvous/uploads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, openSqlite } from '../../../test/support/databases.js';
import { UploadThingStandIn } from '../../../test/support/uploadthing-stand-in.js';
import type { DatabaseClient } from '../src/database.client.js';
import { PrismaUploadedFileStore } from '../src/uploaded-file.repository.js';

const HOUR = 3_600_000;

function describePreviewCleanup(name: string, open: typeof openSqlite) {
  describe(`preview cleanup on ${name}`, () => {
    let client: DatabaseClient;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ client, close } = await open('previews'));
    });
    afterAll(async () => close?.());

    it('deletes in storage first, and removes only the rows of files that are gone', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rv-preview-store-'));
      const now = new Date('2026-11-22T12:00:00Z');
      const file = async (key: string, ageHours: number, { undeletable = false } = {}) => {
        // A non-empty directory where the file should be: deleting it fails, as a storage outage would.
        if (undeletable) {
          mkdirSync(join(dir, key));
          writeFileSync(join(dir, key, 'inner'), 'x');
        } else {
          writeFileSync(join(dir, key), 'preview');
        }
        await client.uploadedFile.create({
          data: {
            fileKey: key,
            fileUrl: `http://x/previews/${key}`,
            fileName: key,
            fileSize: BigInt(7),
            storage: 'local',
            uploadedAt: new Date(now.getTime() - ageHours * HOUR),
          },
        });
      };
      await file('old-a.pptx', 30);
      await file('old-b.pptx', 25);
      await file('stuck.pptx', 48, { undeletable: true });
      await file('boundary.pptx', 24);
      await file('fresh.pptx', 1);

      const cleanup = new PreviewCleanup(new PrismaUploadedFileStore(client), new LocalDiskStorage(dir), 24 * HOUR);
      expect(await cleanup.run(now)).toEqual({ found: 3, deleted: 2, failed: 1, pruned: 2 });

      const keys = (await client.uploadedFile.findMany({ select: { fileKey: true } })).map((r) => r.fileKey).sort();
      expect(keys).toEqual(['boundary.pptx', 'fresh.pptx', 'stuck.pptx']);
      expect(readdirSync(dir).sort()).toEqual(['boundary.pptx', 'fresh.pptx', 'stuck.pptx']);
      // The next run retries what failed, and nothing else.
      expect(await cleanup.run(now)).toEqual({ found: 1, deleted: 0, failed: 1, pruned: 0 });
    });

    it('on UploadThing: deletes through its API and keeps exactly the rows of the keys it refused', async () => {
      await client.uploadedFile.deleteMany();
      const standIn = await UploadThingStandIn.start();
      const { createUploadThingApi, UploadThingStorage } = await loadUploadThingStorage();
      try {
        const storage = new UploadThingStorage(
          createUploadThingApi({ token: standIn.token, apiUrl: standIn.url, ingestUrl: standIn.url }, 'error'),
          mkdtempSync(join(tmpdir(), 'rv-ut-spool-')),
        );
        const now = new Date('2026-11-22T12:00:00Z');
        const upload = async (name: string, ageHours: number) => {
          const stored = await storage.put(name, Readable.from([Buffer.from(`slides of ${name}`)]));
          await client.uploadedFile.create({
            data: {
              fileKey: stored.key,
              fileUrl: stored.url ?? '',
              fileName: name,
              fileSize: BigInt(stored.size),
              storage: 'uploadthing',
              uploadedAt: new Date(now.getTime() - ageHours * HOUR),
            },
          });
          return stored.key;
        };
        const oldKeys = [await upload('a.pptx', 30), await upload('b.pptx', 26), await upload('c.pptx', 25)];
        const fresh = await upload('fresh.pptx', 2);
        expect(standIn.files.size).toBe(4);
        standIn.undeletable.add(oldKeys[1]!);

        const cleanup = new PreviewCleanup(new PrismaUploadedFileStore(client), storage, 24 * HOUR);
        expect(await cleanup.run(now)).toEqual({ found: 3, deleted: 2, failed: 1, pruned: 2 });
        const rows = async () => (await client.uploadedFile.findMany()).map((row) => row.fileKey).sort();
        expect(await rows()).toEqual([oldKeys[1], fresh].sort());
        expect([...standIn.files.keys()].sort()).toEqual([oldKeys[1], fresh].sort());

        // UploadThing unreachable: nothing is deleted, every row stays for the next run.
        await standIn.stop();
        expect(await cleanup.run(now)).toEqual({ found: 1, deleted: 0, failed: 1, pruned: 0 });
        expect(await rows()).toEqual([oldKeys[1], fresh].sort());
      } finally {
        await standIn.stop();
      }
    });
  });
}

describePreviewCleanup('SQLite', openSqlite);
describePreviewCleanup('PostgreSQL', openPostgres);
