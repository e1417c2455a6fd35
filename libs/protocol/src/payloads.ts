// The client events' payloads as plain TypeScript types, for clients that do not load zod. schemas.ts checks at
// compile time that each equals what its schema produces, so the two cannot drift apart.

export type RoomChannel = 'transfer' | 'screen-share' | 'chat';

export interface RegisterDetailsPayload {
  name: string;
}
export interface JoinFlightPayload {
  flightCode: string;
}
export interface InviteToFlightPayload {
  inviteeId: string;
  flightCode: string;
}
export interface SignalPayload {
  data: unknown;
}
export interface AttachRoomPayload {
  roomCode: string;
  participantId: string;
  channel: RoomChannel;
}
export interface JoinRoomPayload {
  roomId: string;
  name?: string | undefined;
  password?: string | undefined;
  roomName?: string | undefined;
  isPublic?: boolean | undefined;
  guestLimit?: number | undefined;
}
export interface ProfilePayload {
  username: string;
}
export interface TextPayload {
  text: string;
  from?: string | undefined;
  time?: number | string | undefined;
}
export interface PingPayload {
  data?: unknown;
}
export interface MemberSignalPayload {
  receiver: string;
  data: unknown;
}
export interface GreetingPayload {
  receiver?: string;
  data?: unknown;
}
export interface StartCallPayload {
  roomId: string;
}
export interface CallIdPayload {
  callId: string;
}
export interface CallSignalPayload {
  callId: string;
  target: string;
  signal: unknown;
  seq?: number;
}
/** What a client presents in the handshake's `auth.resume` to take up its session on another replica. */
export interface ResumeCredentials {
  sessionId: string;
  token: string;
}
