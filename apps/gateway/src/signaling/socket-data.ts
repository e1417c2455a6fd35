import type { RoomAttachment } from '@rendezvous/rooms';
import type { SessionRecord } from '@rendezvous/signaling';

/** What a replica remembers about one of its own sockets (a cache of its own actions, not cluster truth). */
export interface SocketData {
  session?: SessionRecord;
  /** Resolves once the session is registered in the live state. */
  ready?: Promise<SessionRecord | null>;
  /** The flight this socket created or joined; `token` tells this flight apart from a later one with the code. */
  flight?: { code: string; token: string } | null;
  /** Set when this socket is attached to a transfer room (attach-room); its relay then pairs by room channel. */
  attachment?: RoomAttachment | null;
  /** Session id of the other member, kept current by `flight-peer` control messages. */
  peerId?: string | null;
}
