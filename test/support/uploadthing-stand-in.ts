import busboy from 'busboy';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredFile {
  key: string;
  name: string;
  size: number;
  type: string;
  bytes: Buffer;
  fileHash: string;
}

interface RouteMetadata {
  callbackUrl: string;
  callbackSlug: string;
  metadata: unknown;
  awaitServerData: boolean;
}

const sign = (payload: string, apiKey: string) =>
  `hmac-sha256=${createHmac('sha256', apiKey).update(payload).digest('hex')}`;

/**
 * A local stand-in for UploadThing, speaking the API its server SDK (uploadthing 7) uses:
 * - ingest: `PUT /<file key>?expires&x-ut-identifier&x-ut-file-name&x-ut-file-size&…&signature=hmac-sha256=<hex>`
 *   (HMAC-SHA256 of the URL with the API key), a multipart body with the file in `file`; answers
 *   `{url, appUrl, ufsUrl, fileHash, serverData}`. A presigned URL that is forged, expired or whose size does not
 *   match the body is refused.
 * - `POST /route-metadata` registers keys of a client upload with their callback URL; once such a file arrives,
 *   the callback gets `uploadthing-hook: callback` with an `x-uploadthing-signature` over the body, and the
 *   server's `POST /callback-result` carries the server data back to the uploader.
 * - `POST /v6/deleteFiles {fileKeys}` -> `{success, deletedCount}`; `x-uploadthing-api-key` on every API call.
 * - `GET /f/<key>` serves a stored file (the `ufsUrl`).
 */
export class UploadThingStandIn {
  readonly files = new Map<string, StoredFile>();
  readonly deleteRequests: string[][] = [];
  /** deleteFiles requests naming any of these keys fail with 500, as an UploadThing outage would. */
  readonly undeletable = new Set<string>();
  /** When set, the ingest server answers every upload with this status. */
  ingestFailure: number | null = null;
  private readonly routes = new Map<string, RouteMetadata>();
  private readonly callbackResults = new Map<string, (serverData: unknown) => void>();

  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
    readonly appId: string,
  ) {}

  static async start(apiKey = 'sk_live_standin_secret', appId = 'standinapp'): Promise<UploadThingStandIn> {
    let standIn: UploadThingStandIn | null = null;
    const server = createServer((request, response) => {
      standIn?.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: error.message }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn = new UploadThingStandIn(server, apiKey, appId);
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** UPLOADTHING_TOKEN as the dashboard issues it. */
  get token(): string {
    return Buffer.from(JSON.stringify({ apiKey: this.apiKey, appId: this.appId, regions: ['sea1'] })).toString(
      'base64',
    );
  }

  /** The environment that points a gateway or scheduler at this stand-in. */
  get env(): Record<string, string> {
    return { UPLOADTHING_TOKEN: this.token, UPLOADTHING_API_URL: this.url, UPLOADTHING_INGEST_URL: this.url };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    const path = new URL(request.url ?? '/', this.url).pathname;
    if (request.method === 'GET' && path.startsWith('/f/')) {
      const file = this.files.get(decodeURIComponent(path.slice(3)));
      if (!file) return send(404, { error: 'Not found' });
      response.writeHead(200, { 'content-type': file.type, 'content-length': file.size });
      response.end(file.bytes);
      return;
    }
    if (request.method === 'PUT') return this.ingest(request, decodeURIComponent(path.slice(1)), send);
    if (request.method !== 'POST') return send(404, { error: 'Not found' });
    const body = await readBody(request);
    if (request.headers['x-uploadthing-api-key'] !== this.apiKey) return send(401, { error: 'Invalid API key' });
    const json = JSON.parse(body.toString('utf8') || 'null') as Record<string, unknown>;
    if (path === '/route-metadata') {
      for (const key of json.fileKeys as string[]) {
        this.routes.set(key, {
          callbackUrl: String(json.callbackUrl),
          callbackSlug: String(json.callbackSlug),
          metadata: json.metadata,
          awaitServerData: json.awaitServerData !== false,
        });
      }
      return send(200, { ok: true });
    }
    if (path === '/callback-result') {
      this.callbackResults.get(String(json.fileKey))?.(json.callbackData ?? null);
      return send(200, { ok: true });
    }
    if (path === '/v6/deleteFiles') {
      const keys = json.fileKeys as string[];
      this.deleteRequests.push(keys);
      if (keys.some((key) => this.undeletable.has(key))) return send(500, { error: 'Internal server error' });
      let deletedCount = 0;
      for (const key of keys) if (this.files.delete(key)) deletedCount++;
      return send(200, { success: true, deletedCount });
    }
    send(404, { error: 'Not found' });
  }

  private async ingest(
    request: IncomingMessage,
    key: string,
    send: (status: number, payload: unknown) => void,
  ): Promise<void> {
    const rawUrl = `${this.url}${request.url ?? ''}`;
    const signatureAt = rawUrl.lastIndexOf('&signature=');
    const signature = signatureAt < 0 ? '' : decodeURIComponent(rawUrl.slice(signatureAt + '&signature='.length));
    const expected = sign(rawUrl.slice(0, Math.max(signatureAt, 0)), this.apiKey);
    if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
      request.resume();
      return send(403, { error: 'Invalid signature' });
    }
    const params = new URL(rawUrl).searchParams;
    const param = (name: string) => decodeURIComponent(params.get(name) ?? '');
    if (Number(params.get('expires')) < Date.now()) {
      request.resume();
      return send(400, { error: 'Presigned URL expired' });
    }
    if (param('x-ut-identifier') !== this.appId) {
      request.resume();
      return send(403, { error: 'Wrong app' });
    }
    if (this.ingestFailure) {
      request.resume();
      return send(this.ingestFailure, { error: 'Ingest unavailable' });
    }
    const bytes = await readFilePart(request);
    if (bytes === null) return send(400, { error: 'Expected a multipart body with a file' });
    if (bytes.length !== Number(param('x-ut-file-size'))) return send(400, { error: 'File size mismatch' });
    const file: StoredFile = {
      key,
      name: param('x-ut-file-name'),
      size: bytes.length,
      type: param('x-ut-file-type') || 'application/octet-stream',
      bytes,
      fileHash: createHash('md5').update(bytes).digest('hex'),
    };
    this.files.set(key, file);
    const fileUrl = `${this.url}/f/${encodeURIComponent(key)}`;
    const uploaded = { url: fileUrl, appUrl: fileUrl, ufsUrl: fileUrl, fileHash: file.fileHash };
    const route = this.routes.get(key);
    this.routes.delete(key);
    if (!route) return send(200, { ...uploaded, serverData: null });
    const serverData = await this.callBack(route, file, uploaded);
    send(200, { ...uploaded, serverData });
  }

  /** Calls the app's route back with the signed `uploaded` payload, then waits for its callback result. */
  private async callBack(
    route: RouteMetadata,
    file: StoredFile,
    uploaded: { url: string; appUrl: string; ufsUrl: string; fileHash: string },
  ): Promise<unknown> {
    const payload = JSON.stringify({
      status: 'uploaded',
      file: { name: file.name, size: file.size, type: file.type, customId: null, key: file.key, ...uploaded },
      origin: this.url,
      metadata: route.metadata,
    });
    const result = new Promise<unknown>((resolve) => {
      this.callbackResults.set(file.key, resolve);
      setTimeout(() => resolve(null), 5_000).unref();
    });
    // The route is named by the slug registered with the metadata, as a query parameter of the callback URL.
    const callbackUrl = new URL(route.callbackUrl);
    callbackUrl.searchParams.set('slug', route.callbackSlug);
    const callback = await fetch(callbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'uploadthing-hook': 'callback',
        'x-uploadthing-signature': sign(payload, this.apiKey),
      },
      body: payload,
    });
    if (!callback.ok || !route.awaitServerData) return null;
    const serverData = await result;
    this.callbackResults.delete(file.key);
    return serverData;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The bytes of the multipart field `file`, or null without one. */
function readFilePart(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers });
    } catch {
      request.resume();
      return resolve(null);
    }
    let file: Promise<Buffer> | null = null;
    parser.on('file', (field, stream) => {
      if (field !== 'file' || file) return void stream.resume();
      file = new Promise((done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => done(Buffer.concat(chunks)));
      });
    });
    parser.on('close', () => resolve(file));
    parser.on('error', () => resolve(null));
    request.pipe(parser);
  });
}
