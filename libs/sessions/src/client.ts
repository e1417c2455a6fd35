import type { ClientConnection, ClientEvent, ClientPayload } from '@rendezvous/delivery';
import { ErrorCode, type RoomChannel } from '@rendezvous/protocol';
import type { RoomAttachment } from '@rendezvous/rooms';
import { type SessionRecord, SignalingError, type SignalsSent } from '@rendezvous/signaling';

/** A protocol binding's side of one client: how the core writes to it and lets it go. */
export interface ClientLink {
  /** The protocol it speaks (metrics): `socket.io`, `dropsilk`, `camus`, `generic`. */
  readonly protocol: string;
  send(event: string, payload: unknown): void;
  /** Ends the connection (the binding then reports the close to SessionLifecycle). */
  close(): void;
  /** False once the connection is gone. */
  readonly isOpen: boolean;
  /** Whether its protocol can take a parked session up again elsewhere (a drain parks only those). */
  readonly resumable: boolean;
}

/** What a verified token says about its client (AUTH_MODE=jwt). */
export interface ClientClaims {
  subject: string | null;
  /** Display name (claim `name`), the session's name for as long as the client stays. */
  name: string | null;
  /**
   * Rooms the client may join or attach to (claim `rooms`); null = any. Multiparty room ids match exactly;
   * transfer room codes (6 ASCII letters or digits) without case.
   */
  rooms: string[] | null;
}

/** The flight a client created or joined; `token` tells this flight apart from a later one with the code. */
export interface FlightMembership {
  code: string;
  token: string;
}

export interface RoomMembership {
  id: string;
  /** Its name in the room. */
  username: string;
}

export interface CallMembership {
  callId: string;
  roomId: string;
  startedBy: string;
  startedAt: number;
}

const ASCII_ROOM_CODE = /^[A-Za-z0-9]{6}$/;

/**
 * What a replica knows about one of its own clients, whatever binding it came through: its session and what it
 * is in (flight or transfer-room attachment, multiparty room, call). A cache of this replica's own actions, not
 * cluster truth; only the core changes it (the flight peer only through `setFlightPeer`).
 */
export class Client implements ClientConnection {
  session: SessionRecord | null = null;
  /** Resolves once the session is in the live state (null if it never got one). */
  ready: Promise<SessionRecord | null> | null = null;
  flight: FlightMembership | null = null;
  /** Set while attached to a transfer room (attach-room); it then relays by room channel. */
  attachment: RoomAttachment | null = null;
  /** Session id of the other member of its flight or room channel, once there is one. */
  peerId: string | null = null;
  /** Signals sent in its current flight (for the flight's story). */
  signalsSent = 0;
  /** The multiparty room it joined, and its name there. */
  room: RoomMembership | null = null;
  /** The call it is in (always one of its room's calls). */
  call: CallMembership | null = null;
  /** When its invitations of the last minute were sent (INVITES_PER_MINUTE). */
  invitesSentAt: number[] = [];
  /**
   * Parked by a drain, or taken up by its client elsewhere: its session lives on without this connection, so
   * its close announces nothing.
   */
  parked = false;
  /** Digest of its session's current resume credential (written back if the live state loses the session). */
  credentialDigest = '';
  /**
   * Per recipient, the sequence number of the last message it relayed there: its client's own, or one given
   * here when it sent none. Counting per recipient lets the recipient tell a gap from a message sent elsewhere.
   */
  private readonly relaySeqs = new Map<string, number>();

  constructor(
    readonly link: ClientLink,
    /** Resolved once in the handshake; it holds one MAX_CONNECTIONS_PER_IP slot until the client goes. */
    readonly address: string,
    readonly claims: ClientClaims | null = null,
  ) {}

  get sessionId(): string {
    return this.registeredSession().id;
  }

  get group(): string {
    return this.registeredSession().group;
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  send<E extends ClientEvent>(event: E, payload: ClientPayload<E>): void {
    this.link.send(event, payload);
  }

  setFlightPeer(peerId: string | null): void {
    this.peerId = peerId;
  }

  /** Its client took the session up again on another connection: this one closes quietly. */
  sessionTaken(): void {
    this.parked = true;
    this.link.close();
  }

  /**
   * The sequence number a relayed message carries to `recipient` (whose client drops one it has seen): the one
   * its client gave (a replay keeps it), or the next after the last one otherwise.
   */
  nextRelaySeq(recipient: string, requested: number | undefined): number {
    const last = this.relaySeqs.get(recipient) ?? 0;
    const seq = requested ?? last + 1;
    if (seq > last) this.relaySeqs.set(recipient, seq);
    return seq;
  }

  /** Another connection took its transfer-room slot: it forgets the attachment (relays nothing more) and is told. */
  roomSlotTaken(roomCode: string, channel: RoomChannel): void {
    if (this.attachment?.code !== roomCode || this.attachment.channel !== channel) return;
    this.attachment = null;
    this.exitFlight();
    this.send('room-detached', { roomCode, channel, reason: 'attached-elsewhere' });
  }

  /** Its session, waiting for the registration if it has only just connected. */
  async currentSession(): Promise<SessionRecord> {
    const session = this.session ?? (await this.ready);
    if (!session) throw new SignalingError(ErrorCode.Unavailable);
    return session;
  }

  enterFlight(code: string, token: string): void {
    this.flight = { code, token };
    this.peerId = null;
    this.signalsSent = 0;
  }

  exitFlight(): void {
    this.flight = null;
    this.peerId = null;
  }

  /** Signals sent in its current flight (for the flight's story); none for a transfer-room attachment. */
  signalsInFlight(): SignalsSent | undefined {
    const { flight, attachment, signalsSent } = this;
    return flight && !attachment && signalsSent ? { code: flight.code, count: signalsSent } : undefined;
  }

  /** The name it goes by: its token's `name` when it has one (bound to the token), else the one it asks for. */
  nameFor(requested: string): string {
    return this.claims?.name ?? requested;
  }

  /** With a token that names its rooms: a multiparty room id must be one of them exactly. */
  assertMayJoinRoom(roomId: string): void {
    const allowed = this.claims?.rooms;
    if (allowed && !allowed.includes(roomId)) throw new SignalingError(ErrorCode.Forbidden);
  }

  /**
   * With a token that names its rooms: a transfer room code (already upper-cased by its schema) must match one
   * of them, which compare without case only when they are codes themselves (6 ASCII letters or digits).
   */
  assertMayAttach(roomCode: string): void {
    const allowed = this.claims?.rooms;
    if (allowed && !allowed.some((entry) => ASCII_ROOM_CODE.test(entry) && entry.toUpperCase() === roomCode)) {
      throw new SignalingError(ErrorCode.Forbidden);
    }
  }

  private registeredSession(): SessionRecord {
    // The connection registry only holds clients with a session.
    if (!this.session) throw new Error('a client is addressable only once it has a session');
    return this.session;
  }
}
