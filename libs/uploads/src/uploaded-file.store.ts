export interface UploadedFileRecord {
  fileKey: string;
  fileUrl: string;
  fileName: string;
  fileSize: number;
  storage: string;
  uploadedAt: Date;
}

/** The uploaded-files table: a row may only point at a stored file. */
export interface UploadedFileStore {
  /** Records a stored file; recording a key again changes nothing (storage callbacks may be retried). */
  record(file: UploadedFileRecord): Promise<void>;
  /** Up to `limit` keys of files uploaded before `cutoff`, oldest first. */
  keysUploadedBefore(cutoff: Date, limit: number): Promise<string[]>;
  deleteByKeys(keys: string[]): Promise<number>;
  /** Bytes of every recorded file in `storage` together. */
  totalBytes(storage: string): Promise<number>;
}
