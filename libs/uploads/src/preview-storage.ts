import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredPreview {
  /** The storage's key for the file, unique, what the cleanup deletes by. */
  key: string;
  size: number;
  /** Where the storage serves the file; null when the gateway serves it at /previews/<key>. */
  url: string | null;
}

/** Where preview files live. */
export interface PreviewStorage {
  readonly kind: 'local' | 'uploadthing';
  /** Stores the whole stream; a failed, aborted or destroyed stream leaves nothing behind. */
  put(fileName: string, source: Readable): Promise<StoredPreview>;
  /** Deletes what it can; the keys it could not delete are reported, not thrown. */
  delete(keys: string[]): Promise<{ deleted: string[]; failed: string[] }>;
}

/** A storage that cannot be reached or refused the file: the upload fails with 502, nothing is recorded. */
export class PreviewStorageUnavailable extends Error {}

/** A file name reduced to what is safe in a storage key. */
export const safeFileName = (name: string): string =>
  name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-100) || 'file';

/** Writes a stream to a new file at `path`; on any failure the partial file is removed. Resolves with the size. */
export async function writeWhole(path: string, source: Readable): Promise<number> {
  try {
    await pipeline(source, createWriteStream(path, { flags: 'wx' }));
    return (await stat(path)).size;
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

const SAFE_KEY = /^[0-9a-z][0-9a-z._-]{0,199}$/i;

/** Preview files on local disk (the default), served back by the gateway under /previews/<key>. */
export class LocalDiskStorage implements PreviewStorage {
  readonly kind = 'local' as const;

  constructor(readonly dir: string) {}

  pathOf(key: string): string {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`unsafe preview key: ${key}`);
    return join(this.dir, key);
  }

  async put(fileName: string, source: Readable): Promise<StoredPreview> {
    const key = `${randomBytes(8).toString('hex')}-${safeFileName(fileName)}`;
    await mkdir(this.dir, { recursive: true });
    return { key, size: await writeWhole(this.pathOf(key), source), url: null };
  }

  async delete(keys: string[]): Promise<{ deleted: string[]; failed: string[] }> {
    const deleted: string[] = [];
    const failed: string[] = [];
    for (const key of keys) {
      try {
        await rm(this.pathOf(key), { force: true });
        deleted.push(key);
      } catch {
        failed.push(key);
      }
    }
    return { deleted, failed };
  }
}

export const PREVIEW_STORAGE = Symbol('PREVIEW_STORAGE');
