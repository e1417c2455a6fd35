import { Controller, Get, Inject, Logger, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { LimitExceededFilter } from '../http/http-limits.js';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { CLIENT_LIMITS, type ClientLimiter, LimitExceeded } from '@rendezvous/limits';
import { ClientAddress } from '../common/client-address.js';
import { PrismaUploadedFileStore } from '@rendezvous/persistence';
import {
  LocalDiskStorage,
  PREVIEW_STORAGE,
  type PreviewStorage,
  PreviewStorageUnavailable,
  type StoredPreview,
} from '@rendezvous/uploads';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';

class UploadRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Room for the multipart boundaries, part headers and small fields around the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** How long the rest of a refused body is read and thrown away before the connection is cut. */
const DISCARD_REFUSED_BODY_MS = 5_000;

interface Received {
  name: string;
  stored: StoredPreview;
}

/**
 * Preview uploads (DropSilk keeps short-lived previews of files browsers cannot render): one file per request,
 * streamed to the preview storage with PREVIEW_MAX_BYTES and PREVIEW_ALLOWED_EXTENSIONS enforced while it arrives.
 * A refused, failed or aborted upload leaves no file and no row; a stored file always gets its row. Each address
 * has UPLOADS_PER_HOUR uploads and UPLOAD_BYTES_PER_HOUR bytes (counted by the announced length, which is
 * required), and all local previews together stay under PREVIEW_DISK_BUDGET_BYTES.
 */
@Controller()
@UseFilters(LimitExceededFilter)
export class UploadsController {
  private readonly logger = new Logger('Uploads');

  /** Bytes of uploads in progress on this replica, not yet in the table the budget is read from. */
  private pendingBytes = 0;

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(PREVIEW_STORAGE) private readonly storage: PreviewStorage,
    @Inject(PrismaUploadedFileStore) private readonly files: PrismaUploadedFileStore,
    @Inject(CLIENT_LIMITS) private readonly limits: ClientLimiter,
    @Inject(ClientAddress) private readonly addresses: ClientAddress,
  ) {}

  @Post('api/uploads')
  async upload(@Req() request: Request, @Res() response: Response): Promise<void> {
    let reserved = 0;
    try {
      reserved = await this.admit(request);
      await this.storeAndRecord(request, response);
    } catch (error) {
      this.discardRest(request);
      if (error instanceof LimitExceeded) throw error;
      this.refuse(response, error);
    } finally {
      // Held until the row is written, so the budget read by a concurrent upload always counts this file.
      this.pendingBytes -= reserved;
    }
  }

  private async storeAndRecord(request: Request, response: Response): Promise<void> {
    const { name, stored } = await this.receive(request);
    const base = this.config.previews.publicUrl ?? `${request.protocol}://${request.get('host')}`;
    const fileUrl = stored.url ?? `${base}/previews/${stored.key}`;
    try {
      await this.files.record({
        fileKey: stored.key,
        fileUrl,
        fileName: name,
        fileSize: stored.size,
        storage: this.storage.kind,
        uploadedAt: new Date(),
      });
    } catch (error) {
      this.logger.error(`Upload ${stored.key} not recorded, file removed: ${(error as Error).message}`);
      await this.storage.delete([stored.key]);
      response.status(500).json({ error: 'Upload failed.' });
      return;
    }
    response.status(201).json({ key: stored.key, url: fileUrl, name, size: stored.size });
  }

  /**
   * The client of a refused upload is usually still sending its body, and closing the connection on unread data
   * makes the kernel reset it: the client sees a broken pipe instead of the answer (Node's fetch does). So the rest
   * is read and thrown away, as nginx's lingering close does, for the little an allowed upload can be; a body
   * still arriving after that, or after DISCARD_REFUSED_BODY_MS, loses its connection.
   */
  private discardRest(request: Request): void {
    if (request.complete || request.destroyed) return;
    let budget = this.config.previews.maxBytes + MULTIPART_OVERHEAD_BYTES;
    // Only while this body is still arriving: once it has ended, the kept-alive socket may carry the next request.
    const cut = () => {
      if (!request.complete) request.socket.destroy();
    };
    const timer = setTimeout(cut, DISCARD_REFUSED_BODY_MS);
    timer.unref();
    const stop = () => clearTimeout(timer);
    request.once('end', stop);
    request.once('close', stop);
    request.unpipe();
    request.on('data', (chunk: Buffer) => {
      budget -= chunk.length;
      if (budget < 0) cut();
    });
    request.resume();
  }

  /** A refused, failed or aborted upload: its status and message (the rest of its body is discarded). */
  private refuse(response: Response, error: unknown): void {
    const refused =
      error instanceof UploadRefused
        ? error
        : error instanceof PreviewStorageUnavailable
          ? new UploadRefused(502, 'The preview storage is unavailable; try again later.')
          : null;
    if (!(error instanceof UploadRefused)) this.logger.warn(`Upload failed: ${(error as Error).message}`);
    if (!response.headersSent && !response.destroyed) {
      response.status(refused?.status ?? 500).json({ error: refused?.message ?? 'Upload failed.' });
    }
  }

  @Get('previews/:key')
  preview(@Param('key') key: string, @Res() response: Response): void {
    if (!(this.storage instanceof LocalDiskStorage)) throw new NotFoundException();
    let path: string;
    try {
      path = this.storage.pathOf(key);
    } catch {
      throw new NotFoundException();
    }
    if (!existsSync(path)) throw new NotFoundException();
    // Served from our own origin: never rendered or sniffed as a page, always downloaded.
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.attachment(key.replace(/^[0-9a-f]{16}-/, ''));
    response.sendFile(path);
  }

  /**
   * Before a byte is read: the address's upload count and bytes (by Content-Length), and the disk budget. Returns
   * the bytes reserved against the budget until the upload ends.
   */
  private async admit(request: Request): Promise<number> {
    const length = Number(request.headers['content-length']);
    if (!Number.isSafeInteger(length) || length <= 0) {
      throw new UploadRefused(411, 'An upload needs a Content-Length.');
    }
    const { maxBytes } = this.config.previews;
    if (length > maxBytes + MULTIPART_OVERHEAD_BYTES) {
      throw new UploadRefused(413, `The file is larger than ${maxBytes} bytes.`);
    }
    const address = this.addresses.of(request);
    await this.limits.take('uploads', address);
    await this.limits.take('upload-bytes', address, length);
    if (this.storage.kind !== 'local') return 0;
    const budget = this.config.limits.previewDiskBudgetBytes;
    const used = (await this.files.totalBytes('local')) + this.pendingBytes;
    if (used + length > budget) throw new UploadRefused(507, 'Preview storage is full; try again later.');
    this.pendingBytes += length;
    return length;
  }

  private receive(request: Request): Promise<Received> {
    const { maxBytes, allowedExtensions } = this.config.previews;
    if (!/^multipart\/form-data/i.test(request.headers['content-type'] ?? '')) {
      return Promise.reject(new UploadRefused(400, 'Expected a multipart/form-data body with one file.'));
    }
    // A body announced well over the limit (multipart framing aside) is refused before a byte of it is read.
    if (Number(request.headers['content-length'] ?? 0) > maxBytes + MULTIPART_OVERHEAD_BYTES) {
      return Promise.reject(new UploadRefused(413, `The file is larger than ${maxBytes} bytes.`));
    }
    return new Promise<Received>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: maxBytes, fields: 20, parts: 30 } });
      } catch {
        reject(new UploadRefused(400, 'Malformed multipart body.'));
        return;
      }
      let stored: Promise<Received> | null = null;
      let refusal: UploadRefused | null = null;
      let fileStream: Readable | null = null;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        const outcome = stored ?? Promise.reject(refusal ?? new UploadRefused(400, 'No file in the upload.'));
        outcome.then(
          (received) => {
            if (!refusal) return resolve(received);
            // Refused after the file was stored (a later malformed part): the file goes too.
            void this.storage.delete([received.stored.key]);
            reject(refusal);
          },
          (error: unknown) => reject(refusal ?? error),
        );
      };

      parser.on('file', (_field, stream, info) => {
        const name = (info.filename ?? '').slice(0, 255);
        const extension = extname(name).toLowerCase();
        if (stored || refusal) return void stream.resume();
        if (!allowedExtensions.includes(extension)) {
          refusal = new UploadRefused(415, `Only ${allowedExtensions.join(', ')} files can be uploaded.`);
          return void stream.resume();
        }
        fileStream = stream;
        // Its failure reaches us through the storage's promise or the refusal; destroyed before the storage has
        // attached to it (a small body over the limit arrives at once), it must not become an uncaught error.
        stream.on('error', () => undefined);
        // Over the limit the stream fails, so the storage keeps nothing of it, and the rest is not read.
        stream.on('limit', () => {
          refusal = new UploadRefused(413, `The file is larger than ${maxBytes} bytes.`);
          request.unpipe(parser);
          stream.destroy(refusal);
          finish();
        });
        stored = this.storage.put(name, stream).then((file) => ({ name, stored: file }));
        stored.catch(() => undefined);
      });
      parser.on('error', () => {
        refusal ??= new UploadRefused(400, 'Malformed multipart body.');
        fileStream?.destroy(refusal);
        finish();
      });
      parser.on('close', finish);
      // A client that goes away mid-upload: stop writing, and the partial file is removed.
      request.on('close', () => {
        if (!finished && !request.complete) {
          refusal ??= new UploadRefused(400, 'Upload aborted.');
          fileStream?.destroy(refusal);
          finish();
        }
      });
      request.pipe(parser);
    });
  }
}
