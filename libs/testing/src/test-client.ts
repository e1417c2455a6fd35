import type {
  AckResponse,
  ClientToServerEvents,
  PeerJoinedPayload,
  RoomJoinedPayload,
  ServerToClientEvents,
} from '@rendezvous/protocol';
import { io, type Socket } from 'socket.io-client';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The payload of a server event, as its listener receives it. */
export type ServerPayload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];
/** The payload a client event takes (its first argument). */
export type ClientPayload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
/** What a client event's acknowledgement carries when it succeeds. */
export type AckData<E extends keyof ClientToServerEvents> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends (response: AckResponse<infer T>) => void ? T : never;

export interface TestClientOptions {
  /** Socket.IO's path on the server (RendezvousModule's `socketIoPath`); default `/socket.io`. */
  path?: string;
  headers?: Record<string, string>;
  auth?: Record<string, unknown>;
  /** Wait for `registered` before resolving (default true). */
  register?: boolean;
  reconnection?: boolean;
  /** The display name to take after registering (`register-details`). */
  name?: string;
}

interface Received {
  event: string;
  payload: unknown;
}

/**
 * A socket.io-client for tests: it records every event it receives, so a test can wait for one that matches
 * (`waitFor`), and it speaks the protocol's commands with typed acknowledgements (`request`, `createFlight`,
 * `joinFlight`, `joinRoom`). `TestClient.pairInFlight(a, b)` puts two clients in one flight.
 */
export class TestClient {
  readonly received: Received[] = [];
  private waiters: {
    event: string;
    match: (payload: unknown) => boolean;
    resolve: (payload: unknown) => void;
    reject: (error: Error) => void;
  }[] = [];

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

  /** Connects to `url` and resolves once registered (its session `id` and `name` are then set). */
  static async connect(
    url: string,
    options: TestClientOptions = {},
  ): Promise<TestClient & { id: string; name: string }> {
    const socket: TestSocket = io(url, {
      ...(options.path ? { path: options.path } : {}),
      forceNew: true,
      transports: ['websocket'],
      reconnection: options.reconnection ?? false,
      extraHeaders: options.headers,
      ...(options.auth ? { auth: options.auth } : {}),
      timeout: 5_000,
    });
    const client = new TestClient(socket) as TestClient & { id: string; name: string };
    socket.on('connect_error', (error) => client.failConnect(error));
    const registered = await client.waitFor('registered');
    client.id = registered.id;
    client.name = registered.name;
    if (options.name !== undefined) client.name = (await client.call('register-details', { name: options.name })).name;
    return client;
  }

  /** Puts `host` and `guest` in a new flight; resolves when both were told of the other (`peer-joined`). */
  static async pairInFlight(
    host: TestClient & { id: string },
    guest: TestClient & { id: string },
  ): Promise<{ flightCode: string }> {
    const { flightCode } = await host.call('create-flight', {});
    const hostSeesGuest = host.waitFor('peer-joined', (joined) => joined.peer.id === guest.id);
    await guest.call('join-flight', { flightCode });
    await hostSeesGuest;
    return { flightCode };
  }

  /** Joins multiparty room `roomId` (created on first join); resolves with the room's members and calls. */
  joinRoom(roomId: string, options: Omit<ClientPayload<'join-room'>, 'roomId'> = {}): Promise<RoomJoinedPayload> {
    return this.call('join-room', { roomId, ...options });
  }

  /** Joins flight `flightCode`; resolves with the host as `peer-joined` tells it. */
  joinFlight(flightCode: string): Promise<PeerJoinedPayload> {
    return this.call('join-flight', { flightCode });
  }

  /** Sends a `signal` (SDP, ICE) to the flight's peer; resolves with its receipt (delivered or queued). */
  signal(data: unknown): Promise<AckResponse<unknown>> {
    return this.request('signal', { data });
  }

  /**
   * The first `event` received so far, or the next one, whose payload matches `predicate` (typed by the
   * protocol's event map). Rejects after `timeoutMs` with what was received instead.
   */
  waitFor<E extends keyof ServerToClientEvents>(
    event: E,
    predicate: (payload: ServerPayload<E>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<ServerPayload<E>> {
    return this.next<ServerPayload<E>>(event, predicate, timeoutMs);
  }

  /** Emits a client event and resolves with its acknowledged data, or rejects with the server's error. */
  async call<E extends keyof ClientToServerEvents>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = 5_000,
  ): Promise<AckData<E>> {
    const response = await this.request<AckData<E>>(event, payload, timeoutMs);
    if (!response.ok) throw new Error(`${event} failed: ${response.error.code}: ${response.error.message}`);
    return response.data;
  }

  private failConnect(error: Error): void {
    for (const waiter of this.waiters) waiter.reject(new Error(`connection refused: ${error.message}`));
    this.waiters = [];
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
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
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

  /** Disconnects; the server sees a client that left (its flight's peer gets `peer-left`). */
  close(): void {
    this.socket.disconnect();
  }
}
