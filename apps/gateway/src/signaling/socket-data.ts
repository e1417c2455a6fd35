import type { SessionRecord } from '@rendezvous/signaling';

/** What a replica remembers about one of its own sockets (a cache of its own actions, not cluster truth). */
export interface SocketData {
  session?: SessionRecord;
  /** Resolves once the session is registered in the live state. */
  ready?: Promise<SessionRecord | null>;
  flight?: { code: string; room: string } | null;
}
