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
  insert(record: UploadedFileRecord): Promise<void>;
  /** Up to `limit` keys of files uploaded before `cutoff`, oldest first. */
  keysUploadedBefore(cutoff: Date, limit: number): Promise<string[]>;
  deleteByKeys(keys: string[]): Promise<number>;
}
