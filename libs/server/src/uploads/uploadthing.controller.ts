import { All, Controller, Inject, Logger, type RawBodyRequest, Req, Res } from '@nestjs/common';
import { PREVIEW_UPLOAD_ROUTE, UPLOADTHING_ROUTE_PATH, type WebRequestHandler } from '@rendezvous/uploads';
import type { Request, Response } from 'express';

/** UploadThing's route messages are small JSON documents (file lists, callbacks). */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * DropSilk's `/api/uploadthing`: UploadThing's own route handler (presigned URLs for its client, its signed
 * upload callbacks), given the request as a fetch Request with the exact body bytes the callback signature covers.
 */
@Controller(UPLOADTHING_ROUTE_PATH)
export class UploadThingController {
  private readonly logger = new Logger('UploadThing');

  constructor(@Inject(PREVIEW_UPLOAD_ROUTE) private readonly route: WebRequestHandler | null) {}

  @All()
  async handle(@Req() request: RawBodyRequest<Request>, @Res() response: Response): Promise<void> {
    if (!this.route) {
      response.status(501).json({ error: 'UploadThing is not configured on the server.' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'POST') {
      response.status(405).setHeader('Allow', 'GET, POST').json({ error: 'Method not allowed.' });
      return;
    }
    let body: Buffer | null = null;
    if (request.method === 'POST') {
      body = request.rawBody ?? (await readBody(request));
      if (body === null) {
        response.setHeader('Connection', 'close');
        response.status(413).json({ error: `The request body is larger than ${MAX_BODY_BYTES} bytes.` });
        return;
      }
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let answer: globalThis.Response;
    try {
      answer = await this.route(
        new Request(new URL(request.originalUrl, `${request.protocol}://${request.get('host') ?? 'localhost'}`), {
          method: request.method,
          headers,
          ...(body ? { body: new Uint8Array(body) } : {}),
        }),
      );
    } catch (error) {
      // The SDK answers what it knows about itself; anything it throws is UploadThing out of reach, not our 500.
      this.logger.warn(`UploadThing route failed: ${(error as Error).message}`);
      response.status(502).json({ error: 'UploadThing is unavailable; try again later.' });
      return;
    }
    response.status(answer.status);
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding') response.setHeader(name, value);
    });
    response.send(Buffer.from(await answer.arrayBuffer()));
  }
}

/** A body no parser has read (not JSON), up to MAX_BODY_BYTES; null when it is larger. */
function readBody(request: Request): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
