import { ErrorCode, type ServerToClientEvents } from '@rendezvous/protocol';
import type { Client, ClientClaims } from '@rendezvous/sessions';
import { SignalingError } from '@rendezvous/signaling';
import type { Server, Socket } from 'socket.io';

/** What the Socket.IO binding keeps on a socket: its handshake's findings, then the core's client. */
export interface SocketData {
  /** The client address, resolved once in the handshake; it holds one MAX_CONNECTIONS_PER_IP slot until the socket goes. */
  clientAddress?: string;
  /** The verified token's claims (AUTH_MODE=jwt). */
  claims?: ClientClaims | null;
  /** The core's view of this client, from handleConnection on. */
  client?: Client;
}

// No server-to-server events: replicas talk through the cluster bus, not Socket.IO's serverSideEmit.
export type RendezvousServer = Server<Record<string, never>, ServerToClientEvents, Record<string, never>, SocketData>;
export type RendezvousSocket = Socket<Record<string, never>, ServerToClientEvents, Record<string, never>, SocketData>;

/** The core's client of a socket (every socket past its handshake has one). */
export function clientOf(socket: RendezvousSocket): Client {
  const client = socket.data.client;
  if (!client) throw new SignalingError(ErrorCode.Unavailable);
  return client;
}
