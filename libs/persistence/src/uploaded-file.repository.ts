import type { UploadedFileRecord, UploadedFileStore } from '@rendezvous/uploads';
import type { DatabaseClient } from './database.client.js';

export class PrismaUploadedFileStore implements UploadedFileStore {
  constructor(private readonly db: DatabaseClient) {}

  async record(file: UploadedFileRecord): Promise<void> {
    await this.db.uploadedFile.upsert({
      where: { fileKey: file.fileKey },
      create: { ...file, fileSize: BigInt(file.fileSize) },
      update: {},
    });
  }

  async keysUploadedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.db.uploadedFile.findMany({
      where: { uploadedAt: { lt: cutoff } },
      select: { fileKey: true },
      orderBy: { uploadedAt: 'asc' },
      take: limit,
    });
    return rows.map((row) => row.fileKey);
  }

  async deleteByKeys(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const { count } = await this.db.uploadedFile.deleteMany({ where: { fileKey: { in: keys } } });
    return count;
  }

  async totalBytes(storage: string): Promise<number> {
    const { _sum } = await this.db.uploadedFile.aggregate({ where: { storage }, _sum: { fileSize: true } });
    return Number(_sum.fileSize ?? 0);
  }
}
