import type { ErrorPayload } from './errors.js';
import type {
  AttachRoomPayload,
  CallIdPayload,
  CallSignalPayload,
  GreetingPayload,
  JoinRoomPayload,
  MemberSignalPayload,
  PingPayload,
  ProfilePayload,
  StartCallPayload,
  TextPayload,
  InviteToFlightPayload,
  JoinFlightPayload,
  RegisterDetailsPayload,
  ResumeCredentials,
  SignalPayload,
} from './payloads.js';

export type ConnectionType = 'lan' | 'wan';

export interface PeerInfo {
  id: string;
  name: string;
}

export interface RegisteredPayload {
  id: string;
  name: string;
  /**
   * The session's resume credential: after a lost connection (a replica died, the network dropped), present it
   * in the next handshake's `auth.resume` to take the session up again, on any replica, within
   * RECONNECT_GRACE_MS. Single-use: every `registered` carries the next one.
   */
  resume?: ResumeCredentials;
}
export interface UsersOnNetworkPayload {
  users: PeerInfo[];
}
export interface FlightCreatedPayload {
  flightCode: string;
}
export interface PeerJoinedPayload {
  flightCode: string;
  peer: PeerInfo;
  connectionType: ConnectionType;
}
export interface PeerLeftPayload {
  flightCode: string;
  peerId: string;
}
export interface FlightInvitationPayload {
  flightCode: string;
  fromId: string;
  fromName: string;
}
export interface RelayedSignalPayload {
  from: string;
  data: unknown;
  /** The sender's sequence number: a client drops a message from the same sender it has already seen. */
  seq?: number;
}
/**
 * What the sender of a relayed message is told: `delivered` (handed to the replica holding the recipient's live
 * connection) or `queued` (kept in the recipient's outbox while it is away; it gets it when it resumes), and
 * the sequence number it carries. A refusal is an error instead (`peer_unavailable`, `outbox_full`,
 * `unavailable`).
 */
export interface RelayReceipt {
  forwarded: true;
  delivery: 'delivered' | 'queued';
  seq: number;
}
/** `forwarded: false` (and no receipt) when the flight has no peer yet. */
export type SignalReceipt = { flightCode: string; forwarded: false } | ({ flightCode: string } & RelayReceipt);
/** A transfer-room participant as DropSilk's RoomSummary shows it. */
export interface RoomParticipantInfo {
  participantId: string;
  role: 'host' | 'guest';
  name: string;
  ready: boolean;
  fileCount: number;
  totalBytes: number;
}
export interface RoomAttachedPayload {
  /** The room code: the attached sockets of host and guest pair like a flight with this code. */
  flightCode: string;
  role: 'host' | 'guest';
  peer: RoomParticipantInfo | null;
}
/** A transfer room deleted by room expiry while this socket was attached to it; the attachment is gone. */
export interface RoomExpiredPayload {
  roomCode: string;
}
/**
 * The same participant's channel was attached from another socket (a reload, a new connection after a network
 * change): this socket no longer holds it and relays nothing more to the peer.
 */
export interface RoomDetachedPayload {
  roomCode: string;
  channel: 'transfer' | 'screen-share' | 'chat';
  reason: 'attached-elsewhere';
}
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}
export interface RtcConfigPayload {
  iceServers: IceServer[];
}
/** Camus' `room-info`: pushed to the room on every membership or profile change. */
export interface RoomInfoPayload {
  room_id: string;
  clients: { id: string; username: string }[];
  /** Grows with every change; a client may ignore a room-info older than one it has. */
  version: number;
}
export interface CallInfo {
  callId: string;
  roomId: string;
  by: string;
  participants: string[];
}
export interface RoomJoinedPayload {
  roomId: string;
  name: string;
  self: { id: string; username: string };
  clients: { id: string; username: string }[];
  /** The room's active calls. */
  calls: CallInfo[];
}
export interface RoomTextPayload {
  sender: string;
  from: string;
  time: number | string;
  text: string;
}
export interface PongPayload {
  data: unknown;
  /** The client's own id, as Camus' pong tells it. */
  receiver: string;
}
/** offer / answer / icecandidate / greeting as the receiver gets them: `sender` is stamped by the server. */
export interface MemberSignal {
  sender: string;
  receiver: string;
  data: unknown;
  seq?: number;
}
export interface ByePayload {
  sender: string;
  roomId: string;
}
export interface CallStartedPayload {
  callId: string;
  roomId: string;
  by: string;
}
export interface CallStatePayload {
  callId: string;
  roomId: string;
  participants: string[];
  /** False once the last participant has left. */
  active: boolean;
}
export interface CallSignalDelivery {
  callId: string;
  from: string;
  signal: unknown;
  seq?: number;
}
export interface ServerShutdownPayload {
  message: string;
  /** Present when the session is kept for `graceMs`: reconnect with `auth.resume` to keep it and its flight. */
  resume?: ResumeCredentials & { graceMs: number };
}
export interface SessionResumedPayload {
  id: string;
  flightCode: string | null;
  peer: PeerInfo | null;
  /** The multiparty room it is still in, and its call. */
  roomId: string | null;
  callId: string | null;
}

/** What an acknowledgement callback receives. */
export type AckResponse<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorPayload };
export type Ack<T = unknown> = (response: AckResponse<T>) => void;

/** Server -> client events. */
export interface ServerToClientEvents {
  registered: (payload: RegisteredPayload) => void;
  'rtc-config': (payload: RtcConfigPayload) => void;
  /** Camus' answer to `get-ice-servers`: the list itself. */
  'ice-servers': (servers: IceServer[]) => void;
  'users-on-network-update': (payload: UsersOnNetworkPayload) => void;
  'flight-created': (payload: FlightCreatedPayload) => void;
  'peer-joined': (payload: PeerJoinedPayload) => void;
  'peer-left': (payload: PeerLeftPayload) => void;
  'flight-invitation': (payload: FlightInvitationPayload) => void;
  signal: (payload: RelayedSignalPayload) => void;
  'server-shutdown': (payload: ServerShutdownPayload) => void;
  /** After `registered`, when the handshake resumed a drained replica's session. */
  'session-resumed': (payload: SessionResumedPayload) => void;
  'room-attached': (payload: RoomAttachedPayload) => void;
  'room-expired': (payload: RoomExpiredPayload) => void;
  'room-detached': (payload: RoomDetachedPayload) => void;
  'room-info': (payload: RoomInfoPayload) => void;
  text: (payload: RoomTextPayload) => void;
  pong: (payload: PongPayload) => void;
  offer: (payload: MemberSignal) => void;
  answer: (payload: MemberSignal) => void;
  icecandidate: (payload: MemberSignal) => void;
  greeting: (payload: MemberSignal) => void;
  bye: (payload: ByePayload) => void;
  'call-started': (payload: CallStartedPayload) => void;
  'call-state': (payload: CallStatePayload) => void;
  'call-signal': (payload: CallSignalDelivery) => void;
  error: (payload: ErrorPayload) => void;
}

/** Client -> server events. Every one also accepts an acknowledgement callback as its last argument. */
export interface ClientToServerEvents {
  'register-details': (payload: RegisterDetailsPayload, ack?: Ack<RegisteredPayload>) => void;
  'create-flight': (payload?: Record<string, never>, ack?: Ack<FlightCreatedPayload>) => void;
  'join-flight': (payload: JoinFlightPayload, ack?: Ack<PeerJoinedPayload>) => void;
  'invite-to-flight': (payload: InviteToFlightPayload, ack?: Ack<{ invited: string }>) => void;
  signal: (payload: SignalPayload, ack?: Ack<SignalReceipt>) => void;
  'leave-flight': (payload?: Record<string, never>, ack?: Ack<{ left: string | null }>) => void;
  'attach-room': (payload: AttachRoomPayload, ack?: Ack<RoomAttachedPayload>) => void;
  'join-room': (payload: JoinRoomPayload, ack?: Ack<RoomJoinedPayload>) => void;
  'get-room-info': (payload?: Record<string, never>, ack?: Ack<RoomInfoPayload>) => void;
  profile: (payload: ProfilePayload, ack?: Ack<RoomInfoPayload>) => void;
  text: (payload: TextPayload, ack?: Ack<{ roomId: string }>) => void;
  ping: (payload?: PingPayload, ack?: Ack<PongPayload>) => void;
  offer: (payload: MemberSignalPayload, ack?: Ack<RelayReceipt>) => void;
  answer: (payload: MemberSignalPayload, ack?: Ack<RelayReceipt>) => void;
  icecandidate: (payload: MemberSignalPayload, ack?: Ack<RelayReceipt>) => void;
  greeting: (payload?: GreetingPayload, ack?: Ack<{ forwarded: boolean }>) => void;
  bye: (payload?: Record<string, never>, ack?: Ack<{ left: string | null }>) => void;
  'start-call': (payload: StartCallPayload, ack?: Ack<CallStartedPayload>) => void;
  'join-call': (payload: CallIdPayload, ack?: Ack<CallStatePayload>) => void;
  'call-signal': (payload: CallSignalPayload, ack?: Ack<RelayReceipt>) => void;
  'end-call': (payload: CallIdPayload, ack?: Ack<CallStatePayload>) => void;
  'get-ice-servers': (payload?: Record<string, never>, ack?: Ack<IceServer[]>) => void;
}
