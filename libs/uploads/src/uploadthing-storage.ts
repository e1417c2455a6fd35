import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { UTApi, UTFile } from 'uploadthing/server';
import { type PreviewStorage, PreviewStorageUnavailable, type StoredPreview, writeWhole } from './preview-storage.js';

export interface UploadThingSettings {
  /** UPLOADTHING_TOKEN: base64 `{apiKey, appId, regions}`. */
  token: string;
  /** UploadThing's REST API (deleteFiles); the SDK's default unless overridden. */
  apiUrl: string;
  /** The ingest server; derived from the token's region when null, as the SDK does. */
  ingestUrl: string | null;
}

type UploadThingLogLevel = 'Error' | 'Warning' | 'Info' | 'Debug' | 'Trace';

/** The SDK logs through its own logger: keep it as quiet as ours. */
export function uploadThingLogLevel(logLevel: string): UploadThingLogLevel {
  const levels: Record<string, UploadThingLogLevel> = {
    error: 'Error',
    warn: 'Warning',
    log: 'Warning',
    debug: 'Debug',
    verbose: 'Trace',
  };
  return levels[logLevel] ?? 'Warning';
}

/** The official server SDK's client for our settings; options left unset fall back to the SDK's defaults. */
export function createUploadThingApi(settings: UploadThingSettings, logLevel: string): UTApi {
  return new UTApi({
    token: settings.token,
    apiUrl: settings.apiUrl,
    ...(settings.ingestUrl ? { ingestUrl: settings.ingestUrl } : {}),
    logLevel: uploadThingLogLevel(logLevel),
    logFormat: 'json',
  });
}

/** UploadThing's REST API deletes a list of keys per request; a batch that fails is retried key by key. */
const DELETE_BATCH = 50;

/** The SDK's HTTP client error for a request that never got an answer (refused, reset, DNS): storage unreachable. */
const unreachable = (error: unknown) => (error as { _tag?: unknown } | null)?._tag === 'RequestError';

/**
 * Preview files on UploadThing, through its official server SDK. The upload is spooled to a local file first:
 * UploadThing's presigned URL carries the file's size, and the limits are enforced while the body arrives.
 */
export class UploadThingStorage implements PreviewStorage {
  readonly kind = 'uploadthing' as const;

  constructor(
    private readonly api: UTApi,
    private readonly spoolDir: string,
  ) {}

  async put(fileName: string, source: Readable): Promise<StoredPreview> {
    await mkdir(this.spoolDir, { recursive: true });
    const spoolPath = join(this.spoolDir, `.incoming-${randomBytes(8).toString('hex')}`);
    try {
      await writeWhole(spoolPath, source);
      // A file-backed Blob: the SDK streams it from disk instead of holding it in memory.
      const file = new UTFile([(await openAsBlob(spoolPath)) as Blob], fileName);
      const result = await this.api.uploadFiles(file).catch((error: Error) => {
        throw new PreviewStorageUnavailable(`UploadThing upload failed: ${error.message}`);
      });
      if (result.error) throw new PreviewStorageUnavailable(`UploadThing upload failed: ${result.error.message}`);
      return { key: result.data.key, size: result.data.size, url: result.data.ufsUrl };
    } finally {
      await rm(spoolPath, { force: true });
    }
  }

  async delete(keys: string[]): Promise<{ deleted: string[]; failed: string[] }> {
    const deleted: string[] = [];
    const failed: string[] = [];
    let reachable = true;
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      if (reachable) {
        const outcome = await this.deleteBatch(batch);
        if (outcome === 'deleted') {
          deleted.push(...batch);
          continue;
        }
        if (outcome === 'unreachable') reachable = false;
      }
      // A refused batch: find the keys that are refused, so the others do not wait for them.
      for (const key of batch) {
        const outcome = reachable && batch.length > 1 ? await this.deleteBatch([key]) : 'refused';
        if (outcome === 'unreachable') reachable = false;
        (outcome === 'deleted' ? deleted : failed).push(key);
      }
    }
    return { deleted, failed };
  }

  /** Keys UploadThing does not know count as deleted: the file is gone either way. */
  private async deleteBatch(keys: string[]): Promise<'deleted' | 'refused' | 'unreachable'> {
    try {
      const { success } = await this.api.deleteFiles(keys);
      return success ? 'deleted' : 'refused';
    } catch (error) {
      return unreachable(error) ? 'unreachable' : 'refused';
    }
  }
}
