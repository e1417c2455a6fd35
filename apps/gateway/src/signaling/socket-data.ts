import { ErrorCode } from '@rendezvous/protocol';
import type { RoomAttachment } from '@rendezvous/rooms';
import type { AuthClaims } from '../auth/jwt-verifier.js';
import type { SocketConnection } from './socket-connection.js';
import { type SessionRecord, SignalingError } from '@rendezvous/signaling';

/** What a replica remembers about one of its own sockets (a cache of its own actions, not cluster truth). */
export interface SocketData {
  /** The client address, resolved once in the handshake; it holds one MAX_CONNECTIONS_PER_IP slot until the socket goes. */
  clientAddress?: string;
  /** The verified token's claims (AUTH_MODE=jwt). */
  auth?: AuthClaims | null;
  session?: SessionRecord;
  /** Resolves once the session is registered in the live state. */
  ready?: Promise<SessionRecord | null>;
  /** The flight this socket created or joined; `token` tells this flight apart from a later one with the code. */
  flight?: { code: string; token: string } | null;
  /** Set when this socket is attached to a transfer room (attach-room); its relay then pairs by room channel. */
  attachment?: RoomAttachment | null;
  /** When this socket's invitations of the last minute were sent (INVITES_PER_MINUTE). */
  invitesSentAt?: number[];
  /** Signals this socket sent in its current flight (for the flight's story). */
  signalsSent?: number;
  /** Session id of the other member, kept current by the core (SocketConnection.setFlightPeer). */
  peerId?: string | null;
  /** The multiparty room this socket joined, and its name there. */
  room?: { id: string; username: string } | null;
  /** Its registration with the core (delivery by session id), once it has a session. */
  connection?: SocketConnection;
  /** Parked by a drain: its session stays for the client to resume elsewhere, so its departure is not announced. */
  parked?: boolean;
  /** The call this socket is in (always one of its room's calls). */
  call?: { callId: string; roomId: string; startedBy: string; startedAt: number } | null;
}

/** The socket's session, waiting for its registration if the socket has only just connected. */
export async function sessionOf(socket: { data: SocketData }): Promise<SessionRecord> {
  const session = socket.data.session ?? (await socket.data.ready);
  if (!session) throw new SignalingError(ErrorCode.Unavailable);
  return session;
}

/** With a token that names its rooms: a multiparty room id must be one of them exactly (ids are case-sensitive). */
export function assertMultipartyRoomAllowed(socket: { data: SocketData }, roomId: string): void {
  const allowed = socket.data.auth?.rooms;
  if (allowed && !allowed.includes(roomId)) throw new SignalingError(ErrorCode.Forbidden);
}

const ASCII_ROOM_CODE = /^[A-Za-z0-9]{6}$/;

/**
 * With a token that names its rooms: a transfer room code (already upper-cased by its schema) must match one of
 * them, which compare without case only when they are codes themselves (6 ASCII letters or digits).
 */
export function assertTransferRoomAllowed(socket: { data: SocketData }, roomCode: string): void {
  const allowed = socket.data.auth?.rooms;
  if (allowed && !allowed.some((entry) => ASCII_ROOM_CODE.test(entry) && entry.toUpperCase() === roomCode)) {
    throw new SignalingError(ErrorCode.Forbidden);
  }
}

/** The name a client goes by: its token's `name` when it has one (bound to the token), else the one it asks for. */
export function nameFor(socket: { data: SocketData }, requested: string): string {
  return socket.data.auth?.name ?? requested;
}

/** Signals a socket sent in its current flight (for the flight's story); none for a transfer-room attachment. */
export function signalsSentBy(socket: { data: SocketData }): { code: string; count: number } | undefined {
  const { flight, attachment, signalsSent } = socket.data;
  return flight && !attachment && signalsSent ? { code: flight.code, count: signalsSent } : undefined;
}

/** The socket now flies in `code` (`token` tells this flight apart from a later one with the code). */
export function enterFlight(socket: { data: SocketData }, code: string, token: string): void {
  socket.data.flight = { code, token };
  socket.data.peerId = null;
  socket.data.signalsSent = 0;
}

export function exitFlight(socket: { data: SocketData }): void {
  socket.data.flight = null;
  socket.data.peerId = null;
}
