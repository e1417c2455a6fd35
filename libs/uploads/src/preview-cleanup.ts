import type { PreviewStorage } from './preview-storage.js';
import type { UploadedFileStore } from './uploaded-file.store.js';

const BATCH = 500;

/**
 * Preview cleanup, storage first: files older than the retention are deleted in storage, and only the rows of
 * the files whose deletion succeeded are removed, so a row never points at a missing file and a file that
 * could not be deleted keeps its row for the next run.
 */
export class PreviewCleanup {
  constructor(
    private readonly files: UploadedFileStore,
    private readonly storage: PreviewStorage,
    private readonly retentionMs: number,
  ) {}

  async run(now: Date): Promise<{ found: number; deleted: number; failed: number; pruned: number }> {
    const keys = await this.files.keysUploadedBefore(new Date(now.getTime() - this.retentionMs), BATCH);
    if (keys.length === 0) return { found: 0, deleted: 0, failed: 0, pruned: 0 };
    const { deleted, failed } = await this.storage.delete(keys);
    const pruned = await this.files.deleteByKeys(deleted);
    return { found: keys.length, deleted: deleted.length, failed: failed.length, pruned };
  }
}
