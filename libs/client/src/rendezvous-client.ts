import type {
  Ack,
  ClientToServerEvents,
  ErrorPayload,
  IceServer,
  RegisteredPayload,
  ResumeCredentials,
  ServerToClientEvents,
} from '@rendezvous/protocol';
import { io, type Socket } from 'socket.io-client';
import { type NegotiationMessage, type PeerConnectionLike, PerfectNegotiation } from './negotiation.js';

export type RendezvousSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the server acknowledges `E` with. */
export type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends
  Ack<infer T> | undefined
  ? T
  : never;
export type RequestPayload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/** A refusal from the server: its stable `code` (docs/PROTOCOL.md) and message. */
export class RendezvousError extends Error {
  readonly code: string;
  readonly event: string | undefined;
  readonly details: string[] | undefined;

  constructor(error: ErrorPayload) {
    super(error.message);
    this.name = 'RendezvousError';
    this.code = error.code;
    this.event = error.event;
    this.details = error.details;
  }
}

/** A running negotiation: `receive` feeds a message that arrived before it started; `stop` ends it. */
export interface Negotiation {
  receive(message: NegotiationMessage): Promise<void>;
  stop(): void;
}

export interface RendezvousClientOptions {
  /** Default `['websocket']`; add `'polling'` only behind sticky sessions. */
  transports?: ('websocket' | 'polling')[];
  /** Reconnect by itself after a lost connection or a draining replica (default true). */
  reconnection?: boolean;
  /** How long a request waits for its acknowledgement (default 10 s). */
  requestTimeoutMs?: number;
  path?: string;
  /** AUTH_MODE=jwt: the token sent in the handshake's `auth.token`. */
  token?: string;
}

/**
 * A typed client of the Rendezvous protocol on socket.io-client: sessions, flights, multiparty rooms, calls,
 * signals and ICE configuration. Requests resolve with the acknowledgement's data or reject with a
 * RendezvousError. It reconnects by itself; a reconnected client has a new session (`registered` again),
 * except after a replica's drain: then it resumes its session and flight elsewhere (`session-resumed`).
 */
export class RendezvousClient {
  readonly socket: RendezvousSocket;
  session: RegisteredPayload | null = null;
  iceServers: IceServer[] = [];
  private readonly requestTimeoutMs: number;
  /** Handed over by a draining replica; presented in the next handshake. */
  private resumeWith: ResumeCredentials | null = null;
  private serverShuttingDown = false;

  constructor(url: string, options: RendezvousClientOptions = {}) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const reconnection = options.reconnection ?? true;
    this.socket = io(url, {
      transports: options.transports ?? ['websocket'],
      reconnection,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      ...(options.path ? { path: options.path } : {}),
      auth: (send) =>
        send({
          ...(options.token ? { token: options.token } : {}),
          ...(this.resumeWith ? { resume: this.resumeWith } : {}),
        }),
    });
    this.socket.on('registered', (session) => {
      this.session = session;
      this.resumeWith = null;
    });
    this.socket.on('server-shutdown', ({ resume }) => {
      this.serverShuttingDown = true;
      if (resume) this.resumeWith = { sessionId: resume.sessionId, token: resume.token };
    });
    // Socket.IO does not reconnect after a server-side disconnect; after a drain notice this client does, through
    // the same URL (the load balancer), a little spread out so a replica's clients do not all arrive at once.
    this.socket.on('disconnect', (reason) => {
      if (reason !== 'io server disconnect' || !this.serverShuttingDown || !reconnection) return;
      this.serverShuttingDown = false;
      setTimeout(() => this.socket.connect(), 100 + Math.random() * 400);
    });
    this.socket.on('rtc-config', ({ iceServers }) => {
      this.iceServers = iceServers;
    });
    this.socket.on('disconnect', () => {
      this.session = null;
    });
  }

  /** The current session, or the next one once the server has registered this connection. */
  ready(): Promise<RegisteredPayload> {
    if (this.session) return Promise.resolve(this.session);
    return new Promise((resolve) => this.socket.once('registered', resolve));
  }

  /** Subscribes to a server event; returns the unsubscribe function. */
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
    this.socket.on(event, listener as never);
    return () => void this.socket.off(event, listener as never);
  }

  async request<E extends keyof ClientToServerEvents>(event: E, payload?: RequestPayload<E>): Promise<AckData<E>> {
    const emitter = this.socket.timeout(this.requestTimeoutMs) as unknown as {
      emitWithAck(
        event: string,
        ...args: unknown[]
      ): Promise<{ ok: true; data: AckData<E> } | { ok: false; error: ErrorPayload }>;
    };
    const answer = await emitter.emitWithAck(event, payload ?? {});
    if (!answer.ok) throw new RendezvousError(answer.error);
    return answer.data;
  }

  register(name: string) {
    return this.request('register-details', { name });
  }
  createFlight() {
    return this.request('create-flight', {});
  }
  joinFlight(flightCode: string) {
    return this.request('join-flight', { flightCode });
  }
  inviteToFlight(inviteeId: string, flightCode: string) {
    return this.request('invite-to-flight', { inviteeId, flightCode });
  }
  /** Relays `data` to the flight peer (`signal {from, data}` on its side). */
  signal(data: unknown) {
    return this.request('signal', { data });
  }
  leaveFlight() {
    return this.request('leave-flight', {});
  }
  joinRoom(payload: RequestPayload<'join-room'>) {
    return this.request('join-room', payload);
  }
  leaveRoom() {
    return this.request('bye', {});
  }
  sendText(text: string, from?: string) {
    return this.request('text', from ? { text, from } : { text });
  }
  /** Camus' addressed messages to one member of the room. */
  sendToMember(kind: 'offer' | 'answer' | 'icecandidate' | 'greeting', receiver: string, data: unknown) {
    return this.request(kind, { receiver, data });
  }
  startCall(roomId: string) {
    return this.request('start-call', { roomId });
  }
  joinCall(callId: string) {
    return this.request('join-call', { callId });
  }
  callSignal(callId: string, target: string, signal: unknown) {
    return this.request('call-signal', { callId, target, signal });
  }
  endCall(callId: string) {
    return this.request('end-call', { callId });
  }
  async getIceServers(): Promise<IceServer[]> {
    this.iceServers = await this.request('get-ice-servers', {});
    return this.iceServers;
  }

  /**
   * Runs perfect negotiation with the flight peer over `signal`: pass the RTCPeerConnection, and which side is
   * polite (e.g. the guest).
   */
  negotiateWithFlightPeer(pc: PeerConnectionLike, polite: boolean, onError?: (error: unknown) => void): Negotiation {
    const negotiation = new PerfectNegotiation(pc, {
      polite,
      send: (message) => void this.signal(message).catch(onError),
      onError,
    });
    const stop = this.on('signal', ({ data }) => void negotiation.receive(data as NegotiationMessage));
    return {
      receive: (message) => negotiation.receive(message),
      stop: () => {
        stop();
        negotiation.close();
      },
    };
  }

  /**
   * Runs perfect negotiation with one member of the multiparty room over Camus' `offer` / `answer` /
   * `icecandidate`; the side with the greater session id is polite.
   */
  negotiateWithMember(pc: PeerConnectionLike, memberId: string, onError?: (error: unknown) => void): Negotiation {
    const selfId = this.session?.id ?? '';
    const negotiation = new PerfectNegotiation(pc, {
      polite: selfId > memberId,
      send: (message) => {
        const kind =
          'candidate' in message ? 'icecandidate' : message.description.type === 'offer' ? 'offer' : 'answer';
        void this.sendToMember(kind, memberId, message).catch(onError);
      },
      onError,
    });
    const receive = ({ sender, data }: { sender: string; data: unknown }) => {
      if (sender === memberId) void negotiation.receive(data as NegotiationMessage);
    };
    const stops = [this.on('offer', receive), this.on('answer', receive), this.on('icecandidate', receive)];
    return {
      receive: (message) => negotiation.receive(message),
      stop: () => {
        for (const stop of stops) stop();
        negotiation.close();
      },
    };
  }

  close(): void {
    this.socket.disconnect();
  }
}
