import { WebSocket } from 'ws';

type Frame = Record<string, unknown> & { type?: string };

/**
 * A plain-WebSocket client as the seeds' own clients are: JSON text frames, nothing else. It keeps every frame it
 * gets, so a test can wait for one (`next`) or check that none came (`count`).
 */
export class PlainWsClient {
  readonly frames: Frame[] = [];
  private waiters: { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const waiter = this.waiters.find((entry) => entry.match(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Opens `url` (http(s) becomes ws(s)); rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<PlainWsClient> {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    return new Promise((resolve, reject) => {
      const client = new PlainWsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_request, response) =>
        reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })),
      );
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (kept or to come) of `type` that matches. */
  next(type: string, match: (frame: Frame) => boolean = () => true, timeoutMs = 5_000): Promise<Frame> {
    const test = (frame: Frame) => frame.type === type && match(frame);
    const index = this.frames.findIndex(test);
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0] as Frame);
    return new Promise((resolve, reject) => {
      const waiter = { match: test, resolve: (frame: Frame) => (clearTimeout(timer), resolve(frame)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  count(type: string): number {
    return this.frames.filter((frame) => frame.type === type).length;
  }

  close(): void {
    this.ws.close();
  }
}
