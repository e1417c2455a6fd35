import type { ErrorPayload } from './errors.js';
import type {
  AttachRoomPayload,
  InviteToFlightPayload,
  JoinFlightPayload,
  RegisterDetailsPayload,
  SignalPayload,
} from './schemas.js';

export type ConnectionType = 'lan' | 'wan';

export interface PeerInfo {
  id: string;
  name: string;
}

export interface RegisteredPayload {
  id: string;
  name: string;
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
}
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
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}
export interface RtcConfigPayload {
  iceServers: IceServer[];
}
export interface ServerShutdownPayload {
  message: string;
}

/** What an acknowledgement callback receives. */
export type AckResponse<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorPayload };
export type Ack<T = unknown> = (response: AckResponse<T>) => void;

/** Server -> client events. */
export interface ServerToClientEvents {
  registered: (payload: RegisteredPayload) => void;
  'rtc-config': (payload: RtcConfigPayload) => void;
  'users-on-network-update': (payload: UsersOnNetworkPayload) => void;
  'flight-created': (payload: FlightCreatedPayload) => void;
  'peer-joined': (payload: PeerJoinedPayload) => void;
  'peer-left': (payload: PeerLeftPayload) => void;
  'flight-invitation': (payload: FlightInvitationPayload) => void;
  signal: (payload: RelayedSignalPayload) => void;
  'server-shutdown': (payload: ServerShutdownPayload) => void;
  'room-attached': (payload: RoomAttachedPayload) => void;
  error: (payload: ErrorPayload) => void;
}

/** Client -> server events. Every one also accepts an acknowledgement callback as its last argument. */
export interface ClientToServerEvents {
  'register-details': (payload: RegisterDetailsPayload, ack?: Ack<RegisteredPayload>) => void;
  'create-flight': (payload?: Record<string, never>, ack?: Ack<FlightCreatedPayload>) => void;
  'join-flight': (payload: JoinFlightPayload, ack?: Ack<PeerJoinedPayload>) => void;
  'invite-to-flight': (payload: InviteToFlightPayload, ack?: Ack<{ invited: string }>) => void;
  signal: (payload: SignalPayload, ack?: Ack<{ flightCode: string; delivered: boolean }>) => void;
  'leave-flight': (payload?: Record<string, never>, ack?: Ack<{ left: string | null }>) => void;
  'attach-room': (payload: AttachRoomPayload, ack?: Ack<RoomAttachedPayload>) => void;
}

/** Socket.IO server-to-server events (serverSideEmit). */
export interface InterServerEvents {
  'presence-changed': (groups: string[]) => void;
  'flight-peer': (link: { sessionId: string; peerId: string | null }) => void;
}
