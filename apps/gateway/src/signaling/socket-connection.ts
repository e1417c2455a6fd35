import type { ClientConnection, ClientEvent, ClientPayload, ConnectionRegistry } from '@rendezvous/delivery';
import type { RoomChannel, ServerToClientEvents } from '@rendezvous/protocol';
import type { Server, Socket } from 'socket.io';
import type { SocketData } from './socket-data.js';

// No server-to-server events: replicas talk through the cluster bus, not Socket.IO's serverSideEmit.
export type RendezvousServer = Server<Record<string, never>, ServerToClientEvents, Record<string, never>, SocketData>;
export type RendezvousSocket = Socket<Record<string, never>, ServerToClientEvents, Record<string, never>, SocketData>;

/** The Socket.IO binding's side of a client connection: the core addresses it by session id through this. */
export class SocketConnection implements ClientConnection {
  readonly sessionId: string;
  readonly group: string;

  constructor(readonly socket: RendezvousSocket) {
    const session = socket.data.session;
    if (!session) throw new Error('a socket becomes a connection only once it has a session');
    this.sessionId = session.id;
    this.group = session.group;
  }

  send<E extends ClientEvent>(event: E, payload: ClientPayload<E>): void {
    // Socket.IO's typed emit cannot follow a generic event name; the payload type is checked by the signature.
    (this.socket as unknown as { emit(event: string, payload: unknown): boolean }).emit(event, payload);
  }

  setFlightPeer(peerId: string | null): void {
    this.socket.data.peerId = peerId;
  }

  /** The socket forgets the attachment (so it relays nothing more and its close changes nothing) and is told. */
  roomSlotTaken(roomCode: string, channel: RoomChannel): void {
    const data = this.socket.data;
    if (data.attachment?.code !== roomCode || data.attachment.channel !== channel) return;
    data.attachment = null;
    data.flight = null;
    data.peerId = null;
    this.socket.emit('room-detached', { roomCode, channel, reason: 'attached-elsewhere' });
  }
}

/** This replica's Socket.IO sockets that hold a session, by session id (a copy). */
export function localSockets(connections: ConnectionRegistry): Map<string, RendezvousSocket> {
  const sockets = new Map<string, RendezvousSocket>();
  for (const [sessionId, connection] of connections.all()) {
    if (connection instanceof SocketConnection) sockets.set(sessionId, connection.socket);
  }
  return sockets;
}
