import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandInMode = 'ok' | 'error' | 'slow';

/**
 * A local stand-in for Cloudflare's TURN credentials API, as documented:
 * `POST /v1/turn/keys/{key id}/credentials/generate-ice-servers` with `Authorization: Bearer <API token>` and
 * `{ "ttl": seconds }` answers 201 `{ iceServers: [...] }`. Each answer carries fresh credentials, so a test can
 * tell a cached answer from a new one.
 */
export class CloudflareStandIn {
  mode: StandInMode = 'ok';
  readonly requests: { path: string; authorization: string | undefined; body: unknown }[] = [];
  private issued = 0;

  private constructor(
    private readonly server: Server,
    readonly keyId: string,
    readonly apiToken: string,
  ) {}

  static async start(keyId = 'test-key-id', apiToken = 'test-api-token'): Promise<CloudflareStandIn> {
    let standIn: CloudflareStandIn | null = null;
    const server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () =>
        standIn?.answer(request.method, request.url, request.headers.authorization, raw, response),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn = new CloudflareStandIn(server, keyId, apiToken);
    return standIn;
  }

  /** The value of CLOUDFLARE_TURN_API_URL that points the gateway here. */
  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private answer(
    method: string | undefined,
    url: string | undefined,
    authorization: string | undefined,
    raw: string,
    response: ServerResponse,
  ): void {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    this.requests.push({ path: url ?? '', authorization, body });
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    if (method !== 'POST' || url !== `/v1/turn/keys/${this.keyId}/credentials/generate-ice-servers`) {
      return send(404, { success: false, errors: [{ code: 404, message: 'Not found' }] });
    }
    if (authorization !== `Bearer ${this.apiToken}`) {
      return send(401, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });
    }
    if (typeof (body as { ttl?: unknown })?.ttl !== 'number') {
      return send(400, { success: false, errors: [{ code: 400, message: 'ttl is required' }] });
    }
    if (this.mode === 'error') return send(500, { success: false, errors: [{ code: 500, message: 'Internal error' }] });
    if (this.mode === 'slow') {
      setTimeout(() => send(201, this.iceServers()), 3_000).unref();
      return;
    }
    send(201, this.iceServers());
  }

  private iceServers() {
    this.issued++;
    return {
      iceServers: [
        { urls: ['stun:stun.cloudflare.com:3478', 'stun:stun.cloudflare.com:53'] },
        {
          urls: ['turn:turn.cloudflare.com:3478?transport=udp', 'turns:turn.cloudflare.com:5349?transport=tcp'],
          username: `cf-user-${this.issued}`,
          credential: `cf-credential-${this.issued}`,
        },
      ],
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
