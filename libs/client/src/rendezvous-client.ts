import type {
  Ack,
  ClientToServerEvents,
  ErrorPayload,
  IceServer,
  RegisteredPayload,
  RelayReceipt,
  ResumeCredentials,
  ServerToClientEvents,
  SessionResumedPayload,
  SignalReceipt,
} from '@rendezvous/protocol';
import { io, type Socket } from 'socket.io-client';
import { DeliveryTracker, RELAYED_EVENTS } from './delivery-tracker.js';
import { PendingRelays } from './pending-relays.js';
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
  /** How long a request waits for its acknowledgement while connected (default 10 s). */
  requestTimeoutMs?: number;
  path?: string;
  /** AUTH_MODE=jwt: the token sent in the handshake's `auth.token`. */
  token?: string;
  /** Node.js only (browsers set their own): headers of the WebSocket handshake, e.g. for a test behind a proxy. */
  extraHeaders?: Record<string, string>;
}

/** Events of the client itself, beside the server's. */
export interface ClientOwnEvents {
  /** The connection was lost and this client took its session up again (flight, rooms, call kept). */
  resumed: (payload: SessionResumedPayload) => void;
  /** The connection was lost for longer than the server's grace: this is a new session; the old one ended. */
  'session-lost': (payload: { previousId: string; id: string }) => void;
  /** Relayed messages from `from` never arrived (the server could not keep them); later ones were handed on. */
  gap: (payload: { from: string; missing: number }) => void;
}
export type RendezvousClientEvents = ServerToClientEvents & ClientOwnEvents;

const OWN_EVENTS = new Set<string>(['resumed', 'session-lost', 'gap']);
/** Who `signal` numbers go to while the flight peer is not known yet. */
const FLIGHT_PLACEHOLDER = 'flight';

/**
 * A typed client of the Rendezvous protocol on socket.io-client: sessions, flights, multiparty rooms, calls,
 * signals and ICE configuration. Requests resolve with the acknowledgement's data or reject with a
 * RendezvousError. It survives a lost connection by itself: it reconnects through the same URL, presents its
 * session's resume credential, sends again the relayed messages it has no receipt for, drops relayed messages
 * it has already seen, and emits `resumed` (or `session-lost` when the server's grace ran out).
 */
export class RendezvousClient {
  readonly socket: RendezvousSocket;
  session: RegisteredPayload | null = null;
  iceServers: IceServer[] = [];
  private readonly requestTimeoutMs: number;
  /** The current session's credential (from `registered`, or a drain's `server-shutdown`). */
  private resumeWith: ResumeCredentials | null = null;
  /** The session this client had when its connection dropped. */
  private lostSessionId: string | null = null;
  private serverShuttingDown = false;
  /** The flight peer, whom `signal` reaches (its sequence numbers count per recipient). */
  private flightPeer: string | null = null;
  private readonly tracker = new DeliveryTracker((from, missing) => this.emitOwn('gap', { from, missing }));
  private readonly pending: PendingRelays;
  /** Listeners of relayed events, which this client hands over itself: once each, in each sender's order. */
  private readonly relayedListeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly ownListeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(url: string, options: RendezvousClientOptions = {}) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const reconnection = options.reconnection ?? true;
    this.socket = io(url, {
      transports: options.transports ?? ['websocket'],
      reconnection,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      ...(options.path ? { path: options.path } : {}),
      ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
      auth: (send) =>
        send({
          ...(options.token ? { token: options.token } : {}),
          ...(this.resumeWith ? { resume: this.resumeWith } : {}),
        }),
    });
    this.pending = new PendingRelays(
      (event, payload, ack) => (this.socket as unknown as Socket).emit(event, payload, ack),
      this.requestTimeoutMs,
    );
    for (const event of Object.keys(RELAYED_EVENTS)) {
      this.socket.on(event as keyof ServerToClientEvents, ((payload: unknown) => this.screen(event, payload)) as never);
    }
    this.socket.on('registered', (session) => this.registered(session));
    this.socket.on('session-resumed', (resumed) => {
      this.setFlightPeer(resumed.peer?.id ?? null);
      this.emitOwn('resumed', resumed);
    });
    this.socket.on('server-shutdown', ({ resume }) => {
      this.serverShuttingDown = true;
      if (resume) this.resumeWith = { sessionId: resume.sessionId, token: resume.token };
    });
    this.socket.on('peer-joined', ({ peer }) => this.setFlightPeer(peer.id));
    this.socket.on('peer-left', () => {
      this.flightPeer = null;
    });
    // Socket.IO does not reconnect after a server-side disconnect; after a drain notice this client does, through
    // the same URL (the load balancer), a little spread out so a replica's clients do not all arrive at once. A
    // server-side disconnect without it (the session was taken up by another connection) is final.
    this.socket.on('disconnect', (reason) => {
      if (this.session) this.lostSessionId = this.session.id;
      this.session = null;
      this.pending.pauseAll();
      if (reason !== 'io server disconnect' || !this.serverShuttingDown || !reconnection) return;
      this.serverShuttingDown = false;
      setTimeout(() => this.socket.connect(), 100 + Math.random() * 400);
    });
    this.socket.on('rtc-config', ({ iceServers }) => {
      this.iceServers = iceServers;
    });
  }

  /** The current session, or the next one once the server has registered this connection. */
  ready(): Promise<RegisteredPayload> {
    if (this.session) return Promise.resolve(this.session);
    return new Promise((resolve) => this.socket.once('registered', resolve));
  }

  /**
   * Subscribes to a server event or one of the client's own (`resumed`, `session-lost`, `gap`); returns the
   * unsubscribe function. A relayed message already seen (a replay after its sender resumed) is not passed on.
   */
  on<E extends keyof RendezvousClientEvents>(event: E, listener: RendezvousClientEvents[E]): () => void {
    const own = OWN_EVENTS.has(event) ? this.ownListeners : event in RELAYED_EVENTS ? this.relayedListeners : null;
    if (own) {
      let listeners = own.get(event);
      if (!listeners) own.set(event, (listeners = new Set()));
      const added = listener as (payload: unknown) => void;
      listeners.add(added);
      return () => void listeners.delete(added);
    }
    this.socket.on(event as keyof ServerToClientEvents, listener as never);
    return () => void this.socket.off(event as keyof ServerToClientEvents, listener as never);
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
  async joinFlight(flightCode: string) {
    const joined = await this.request('join-flight', { flightCode });
    this.setFlightPeer(joined.peer.id);
    return joined;
  }
  inviteToFlight(inviteeId: string, flightCode: string) {
    return this.request('invite-to-flight', { inviteeId, flightCode });
  }
  /**
   * Relays `data` to the flight peer (`signal {from, data, seq}` on its side). Resolves with the receipt
   * (`delivered`, or `queued` while the peer is away); a lost connection does not lose it: it is sent again
   * once the session is resumed.
   */
  signal(data: unknown): Promise<SignalReceipt> {
    return this.relay('signal', { data }, this.flightPeer ?? FLIGHT_PLACEHOLDER);
  }
  leaveFlight() {
    this.flightPeer = null;
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
  /** Camus' addressed messages to one member of the room (kept and sent again across a resume, as `signal`). */
  sendToMember(kind: 'offer' | 'answer' | 'icecandidate', receiver: string, data: unknown): Promise<RelayReceipt> {
    return this.relay(kind, { receiver, data }, receiver);
  }
  startCall(roomId: string) {
    return this.request('start-call', { roomId });
  }
  joinCall(callId: string) {
    return this.request('join-call', { callId });
  }
  callSignal(callId: string, target: string, signal: unknown): Promise<RelayReceipt> {
    return this.relay('call-signal', { callId, target, signal }, target);
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
    this.tracker.close();
    this.pending.failAll({ code: 'closed' as never, message: 'The client was closed' });
    this.socket.disconnect();
  }

  /** A relayed message, numbered per recipient, kept until its receipt arrives. */
  private relay<T>(event: string, payload: Record<string, unknown>, recipient: string): Promise<T> {
    const numbered = { ...payload, seq: this.tracker.next(recipient) };
    // Before registration (and while reconnecting) it waits: the server only relays for a known session.
    return this.pending.add(event, numbered, this.session !== null).then(
      (data) => data as T,
      (error: ErrorPayload) => Promise.reject(new RendezvousError(error)),
    );
  }

  private registered(session: RegisteredPayload): void {
    const previous = this.lostSessionId;
    this.lostSessionId = null;
    this.session = session;
    this.resumeWith = session.resume ?? null;
    if (previous && previous !== session.id) {
      this.flightPeer = null;
      this.tracker.reset();
      this.pending.failAll({ code: 'session_lost' as never, message: 'The session ended' });
      this.emitOwn('session-lost', { previousId: previous, id: session.id });
      return;
    }
    // The same session (or the first one): what waited goes out, oldest first.
    this.pending.flush();
  }

  /** A relayed message: handed to its listeners unless already seen, in its sender's order. */
  private screen(event: string, payload: unknown): void {
    const deliver = () => {
      for (const listener of this.relayedListeners.get(event) ?? []) listener(payload);
    };
    const field = RELAYED_EVENTS[event] as string;
    const { seq, [field]: sender } = (payload ?? {}) as Record<string, unknown>;
    if (typeof seq === 'number' && typeof sender === 'string') this.tracker.arrived(sender, seq, deliver);
    else deliver();
  }

  /** Numbers used before the peer was known go on under its id. */
  private setFlightPeer(peerId: string | null): void {
    this.flightPeer = peerId;
    if (peerId) this.tracker.rekey(FLIGHT_PLACEHOLDER, peerId);
  }

  private emitOwn<E extends keyof ClientOwnEvents>(event: E, payload: Parameters<ClientOwnEvents[E]>[0]): void {
    for (const listener of this.ownListeners.get(event) ?? []) listener(payload);
  }
}
