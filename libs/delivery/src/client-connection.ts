import type { RoomChannel, ServerToClientEvents } from '@rendezvous/protocol';

export type ClientEvent = keyof ServerToClientEvents;
export type ClientPayload<E extends ClientEvent> = Parameters<ServerToClientEvents[E]>[0];

/**
 * One client held by this replica, whatever protocol binding it came through (Socket.IO today). The core
 * reaches clients only through this and by session id; a binding implements it for its own connections.
 */
export interface ClientConnection {
  readonly sessionId: string;
  /** The network group of its session (presence). */
  readonly group: string;
  /** False once its connection closed (what is sent then is lost). */
  readonly isOpen: boolean;
  send<E extends ClientEvent>(event: E, payload: ClientPayload<E>): void;
  /** Its flight peer changed: the relay reads it from here, with no lookup. */
  setFlightPeer(peerId: string | null): void;
  /** Another connection took its transfer-room channel slot: it forgets the attachment and tells its client. */
  roomSlotTaken(roomCode: string, channel: RoomChannel): void;
  /** Its client took the session up on another replica: it closes without announcing anything. */
  sessionTaken(): void;
}
