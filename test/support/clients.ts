import type { AckResponse, ClientToServerEvents, ServerToClientEvents } from '@rendezvous/protocol';
import { io, type Socket } from 'socket.io-client';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Received {
  event: string;
  payload: unknown;
}

/** A socket.io-client that records every event it receives, so tests can wait for or assert on them. */
export class TestClient {
  readonly received: Received[] = [];
  private waiters: { event: string; match: (payload: unknown) => boolean; resolve: (payload: unknown) => void }[] = [];

  constructor(readonly socket: TestSocket) {
    socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      this.waiters = this.waiters.filter((waiter) => {
        if (waiter.event !== event || !waiter.match(payload)) return true;
        waiter.resolve(payload);
        return false;
      });
    });
  }

  static async connect(
    url: string,
    options: {
      headers?: Record<string, string>;
      auth?: Record<string, unknown>;
      register?: boolean;
      reconnection?: boolean;
    } = {},
  ): Promise<TestClient & { id: string; name: string }> {
    const socket: TestSocket = io(url, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: options.reconnection ?? false,
      extraHeaders: options.headers,
      ...(options.auth ? { auth: options.auth } : {}),
      timeout: 5_000,
    });
    const client = new TestClient(socket) as TestClient & { id: string; name: string };
    const registered = (await client.next('registered')) as { id: string; name: string };
    client.id = registered.id;
    client.name = registered.name;
    return client;
  }

  /** The first `event` received so far, or the next one, matching `match`. */
  next<T = unknown>(event: string, match: (payload: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
    const seen = this.received.find((r) => r.event === event && match(r.payload as T));
    if (seen) {
      this.received.splice(this.received.indexOf(seen), 1);
      return Promise.resolve(seen.payload as T);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const got = this.received.map((r) => r.event).join(', ') || 'nothing';
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for "${event}" (received: ${got})`));
      }, timeoutMs);
      const waiter = {
        event,
        match: (payload: unknown) => match(payload as T),
        resolve: (payload: unknown) => {
          clearTimeout(timer);
          const index = this.received.findIndex((r) => r.payload === payload && r.event === event);
          if (index !== -1) this.received.splice(index, 1);
          resolve(payload as T);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Emits with an acknowledgement and resolves with the server's answer. */
  request<T = unknown>(event: string, payload?: unknown, timeoutMs = 5_000): Promise<AckResponse<T>> {
    const args = payload === undefined ? [] : [payload];
    return (
      this.socket.timeout(timeoutMs) as unknown as {
        emitWithAck: (e: string, ...a: unknown[]) => Promise<AckResponse<T>>;
      }
    ).emitWithAck(event, ...args);
  }

  emit(event: string, ...args: unknown[]): void {
    (this.socket.emit as (event: string, ...rest: unknown[]) => void)(event, ...args);
  }

  /** Latest presence list received (waiting for the next one first when `fresh`). */
  async usersUpdate(match: (users: { id: string; name: string }[]) => boolean, timeoutMs = 5_000) {
    const payload = await this.next<{ users: { id: string; name: string }[] }>(
      'users-on-network-update',
      (p) => match(p.users),
      timeoutMs,
    );
    return payload.users;
  }

  /** Drops what was received of `event` so far, so the next wait sees only what happens after this point. */
  forget(event: string): void {
    for (let i = this.received.length - 1; i >= 0; i--)
      if (this.received[i]?.event === event) this.received.splice(i, 1);
  }

  count(event: string): number {
    return this.received.filter((r) => r.event === event).length;
  }

  close(): void {
    this.socket.disconnect();
  }
}
