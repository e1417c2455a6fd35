/** The clients of every relay the bench measures, each as an `Endpoint` the load drivers push through. */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { type Endpoint, type Pair, replaceableHandler, type Signal, sleep } from './load.js';

/** Each client claims its own public address (X-Forwarded-For from a trusted loopback proxy), so no presence storm. */
let addressCounter = 0;
export function uniqueAddress(): string {
  addressCounter++;
  return `203.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

/** The page origin bench clients present; the bench replicas allow it (ALLOWED_ORIGINS), as production would. */
export const BENCH_ORIGIN = 'https://bench.rendezvous.test';

function socketIoClient(url: string): Socket {
  return io(url, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { 'x-forwarded-for': uniqueAddress(), origin: BENCH_ORIGIN },
  });
}

function waitFor<T>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${event}`)), 20_000);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/**
 * A lean Socket.IO v4 client over `ws` (Engine.IO framing: "0" open, "2"/"3" ping/pong, "40" connect, "42[...]"
 * events), so the load generator costs per message what the bare-ws baseline's client costs and leaves the
 * cores to the servers. It speaks the same wire protocol as socket.io-client.
 */
export class LeanSocketIoClient {
  private readonly handlers = new Map<string, ((payload: any) => void)[]>();
  /** Settles when the server answered the namespace CONNECT. */
  connected: Promise<unknown> = Promise.resolve();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => this.onFrame(raw.toString()));
  }

  static async connect(url: string, query = ''): Promise<LeanSocketIoClient> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket${query}`;
    const socket = new WebSocket(wsUrl, {
      perMessageDeflate: false,
      origin: BENCH_ORIGIN,
      headers: { 'x-forwarded-for': uniqueAddress() },
    });
    const client = new LeanSocketIoClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    client.connected = client.once('connect');
    socket.send('40');
    return client;
  }

  on(event: string, handler: (payload: any) => void): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler);
    this.handlers.set(event, list);
  }

  once<T>(event: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${event}`)), 20_000);
      const handler = (payload: T) => {
        clearTimeout(timer);
        this.handlers.set(
          event,
          (this.handlers.get(event) ?? []).filter((h) => h !== handler),
        );
        resolve(payload);
      };
      this.on(event, handler);
    });
  }

  emit(event: string, payload?: unknown): void {
    this.socket.send(`42${JSON.stringify(payload === undefined ? [event] : [event, payload])}`);
  }

  close(): void {
    this.socket.close();
  }

  private onFrame(frame: string): void {
    if (frame === '2') {
      this.socket.send('3');
    } else if (frame.startsWith('40')) {
      for (const handler of this.handlers.get('connect') ?? []) handler(undefined);
    } else if (frame.startsWith('42')) {
      const [event, payload] = JSON.parse(frame.slice(2)) as [string, unknown];
      for (const handler of this.handlers.get(event) ?? []) handler(payload);
    }
  }
}

function rendezvousEndpoint(client: LeanSocketIoClient): Endpoint {
  return {
    send: (data) => client.emit('signal', { data }),
    onReceive: replaceableHandler((listener) =>
      client.on('signal', (payload: { data: Signal }) => listener(payload.data)),
    ),
    close: () => client.close(),
  };
}

const MEMBER_SIGNALS = ['offer', 'answer', 'icecandidate'] as const;

/** A room member that addresses each message to its next room-mate, cycling through offer/answer/icecandidate. */
function roomEndpoint(client: LeanSocketIoClient, peers: string[]): Endpoint {
  let sent = 0;
  return {
    send: (data) => {
      const event = MEMBER_SIGNALS[sent % MEMBER_SIGNALS.length] as string;
      client.emit(event, { receiver: peers[sent % peers.length], data });
      sent++;
    },
    onReceive: replaceableHandler((listener) => {
      for (const event of MEMBER_SIGNALS) client.on(event, (payload: { data: Signal }) => listener(payload.data));
    }),
    close: () => client.close(),
  };
}

/** `rooms` multiparty rooms of `size` members; members alternate between `urls` (the replicas). */
export async function roomMembers(urls: string[], rooms: number, size: number): Promise<Endpoint[]> {
  const endpoints: Endpoint[] = [];
  for (let room = 0; room < rooms; room++) {
    const roomId = `bench-${room}-${Date.now().toString(36)}`;
    const members: { client: LeanSocketIoClient; id: string; seen: number }[] = [];
    for (let m = 0; m < size; m++) {
      const client = await LeanSocketIoClient.connect(urls[(room * size + m) % urls.length] as string);
      const { id } = await client.once<{ id: string }>('registered');
      const member = { client, id, seen: 0 };
      client.on('room-info', (info: { clients: unknown[] }) => {
        member.seen = info.clients.length;
      });
      client.emit('join-room', { roomId });
      members.push(member);
    }
    // Members address each other only once each one's replica has delivered the full roster.
    const deadline = Date.now() + 20_000;
    while (members.some((member) => member.seen < size)) {
      if (Date.now() > deadline) throw new Error(`room ${roomId}: members never saw the full roster`);
      await sleep(5);
    }
    for (const { client, id } of members) {
      endpoints.push(
        roomEndpoint(
          client,
          members.filter((other) => other.id !== id).map((other) => other.id),
        ),
      );
    }
  }
  return endpoints;
}

/** A pair in one flight: host on `urlA`, guest on `urlB`. */
export async function rendezvousPair(urlA: string, urlB: string): Promise<Pair> {
  const host = await LeanSocketIoClient.connect(urlA);
  await host.once('registered');
  const created = host.once<{ flightCode: string }>('flight-created');
  host.emit('create-flight');
  const { flightCode } = await created;
  const guest = await LeanSocketIoClient.connect(urlB);
  await guest.once('registered');
  const joined = host.once('peer-joined');
  guest.emit('join-flight', { flightCode });
  await joined;
  return { a: rendezvousEndpoint(host), b: rendezvousEndpoint(guest) };
}

let socketIoPairCounter = 0;
/** A pair on the bare Socket.IO relay baseline: the same `signal` events and client as a flight, no framework. */
export async function socketIoRelayPair(port: number): Promise<Pair> {
  const id = ++socketIoPairCounter;
  const url = `http://127.0.0.1:${port}`;
  const a = await LeanSocketIoClient.connect(url, `&pair=${id}&side=a`);
  const b = await LeanSocketIoClient.connect(url, `&pair=${id}&side=b`);
  await Promise.all([a.connected, b.connected]);
  return { a: rendezvousEndpoint(a), b: rendezvousEndpoint(b) };
}

const PEERJS_TYPES = ['OFFER', 'ANSWER', 'CANDIDATE'] as const;

/** A PeerJS client as its library connects (/peerjs?key&id&token), ready once the server said OPEN. */
export async function openPeerJs(port: number, id: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${id}t`, {
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('message', (raw) => {
      const { type } = JSON.parse(raw.toString()) as { type: string };
      if (type === 'OPEN') resolve();
      else reject(new Error(`PeerJS answered ${type}`));
    });
    socket.once('error', reject);
  });
  return socket;
}

/** Sends what a PeerJS client sends while negotiating: OFFER, ANSWER and CANDIDATE messages with a payload to `dst`. */
function peerJsEndpoint(socket: WebSocket, peerId: string): Endpoint {
  let sent = 0;
  return {
    send: (data) => {
      const type = PEERJS_TYPES[sent++ % PEERJS_TYPES.length] as string;
      socket.send(JSON.stringify({ type, dst: peerId, payload: { data } }));
    },
    onReceive: replaceableHandler((listener) =>
      socket.on('message', (raw) =>
        listener((JSON.parse(raw.toString()) as { payload: { data: Signal } }).payload.data),
      ),
    ),
    close: () => socket.close(),
  };
}

let peerJsPairCounter = 0;
/** Two PeerJS clients that know each other's id, as two PeerJS pages about to connect. */
export async function peerJsPair(port: number): Promise<Pair> {
  const id = ++peerJsPairCounter;
  const [idA, idB] = [`bench-${id}-a`, `bench-${id}-b`];
  const a = await openPeerJs(port, idA);
  const b = await openPeerJs(port, idB);
  return { a: peerJsEndpoint(a, idB), b: peerJsEndpoint(b, idA) };
}

/** Opens `count` idle PeerJS clients, `batch` at a time. */
export async function idlePeerJsClients(port: number, count: number, batch = 250): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let opened = 0; opened < count; opened += batch) {
    const group = Array.from({ length: Math.min(batch, count - opened) }, (_, i) =>
      openPeerJs(port, `idle-${opened + i}-${Date.now().toString(36)}`),
    );
    sockets.push(...(await Promise.all(group)));
  }
  return sockets;
}

function wsEndpoint(socket: WebSocket): Endpoint {
  return {
    send: (data) => socket.send(JSON.stringify({ data })),
    onReceive: replaceableHandler((listener) =>
      socket.on('message', (raw) => listener((JSON.parse(raw.toString()) as { data: Signal }).data)),
    ),
    close: () => socket.close(),
  };
}

async function openWs(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

let wsPairCounter = 0;
export async function wsPair(port: number): Promise<Pair> {
  const id = ++wsPairCounter;
  const a = await openWs(`ws://127.0.0.1:${port}/?pair=${id}&side=a`);
  const b = await openWs(`ws://127.0.0.1:${port}/?pair=${id}&side=b`);
  return { a: wsEndpoint(a), b: wsEndpoint(b) };
}

/** A client of the ws + Redis topology baseline, once its relay says its channel is subscribed. */
async function openSubscribedWs(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const ready = new Promise((resolve) => socket.once('message', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await ready;
  return socket;
}

/** A pair across two bare ws relays sharing Redis (baselines/ws-redis-relay.ts): side a on one, b on the other. */
export async function wsRedisPair(portA: number, portB: number): Promise<Pair> {
  const id = ++wsPairCounter;
  const a = await openSubscribedWs(`ws://127.0.0.1:${portA}/?pair=${id}&side=a`);
  const b = await openSubscribedWs(`ws://127.0.0.1:${portB}/?pair=${id}&side=b`);
  return { a: wsEndpoint(a), b: wsEndpoint(b) };
}

/** One DropSilk client on a plain WebSocket: its frames, in arrival order, until it is handed to an endpoint. */
export async function dropSilkClient(
  url: string,
): Promise<{ socket: WebSocket; next(type: string): Promise<Record<string, unknown>> }> {
  // Listening before the socket opens: the server's first frame may come in the same packet as the handshake.
  const socket = new WebSocket(url.replace(/^http/, 'ws'), {
    perMessageDeflate: false,
    headers: { origin: BENCH_ORIGIN, 'x-forwarded-for': uniqueAddress() },
  });
  const waiting = new Map<string, (frame: Record<string, unknown>) => void>();
  const seen = new Map<string, Record<string, unknown>>();
  socket.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as Record<string, unknown>;
    const type = String(frame.type);
    const resolve = waiting.get(type);
    if (resolve) {
      waiting.delete(type);
      resolve(frame);
    } else if (!seen.has(type)) seen.set(type, frame);
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const frame = seen.get(type);
      if (frame) {
        seen.delete(type);
        resolve(frame);
      } else waiting.set(type, resolve);
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, next };
}

function dropSilkEndpoint(socket: WebSocket): Endpoint {
  socket.removeAllListeners('message');
  return {
    send: (data) => socket.send(JSON.stringify({ type: 'signal', data })),
    onReceive: replaceableHandler((listener) =>
      socket.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { type: string; data: Signal };
        if (frame.type === 'signal') listener(frame.data);
      }),
    ),
    close: () => socket.close(),
  };
}

/** A flight of two DropSilk clients over plain WebSockets (the seeds' own protocol): host on `urlA`, guest on `urlB`. */
export async function dropSilkPair(urlA: string, urlB: string): Promise<Pair> {
  const host = await dropSilkClient(urlA);
  await host.next('registered');
  host.socket.send(JSON.stringify({ type: 'create-flight' }));
  const { flightCode } = await host.next('flight-created');
  const guest = await dropSilkClient(urlB);
  await guest.next('registered');
  guest.socket.send(JSON.stringify({ type: 'join-flight', flightCode }));
  await Promise.all([host.next('peer-joined'), guest.next('peer-joined')]);
  return { a: dropSilkEndpoint(host.socket), b: dropSilkEndpoint(guest.socket) };
}

/** Opens `count` idle Socket.IO clients, `batch` at a time. */
export async function idleClients(url: string, count: number, batch = 250, waitEvent = 'connect'): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let opened = 0; opened < count; opened += batch) {
    const group = Array.from({ length: Math.min(batch, count - opened) }, () => socketIoClient(url));
    await Promise.all(group.map((socket) => waitFor(socket, waitEvent)));
    sockets.push(...group);
  }
  return sockets;
}
