import type { ClientLink } from '@rendezvous/sessions';
import type { RendezvousSocket } from './socket-data.js';

/** The Socket.IO binding's side of a client: the core writes to the socket and closes it through this. */
export class SocketLink implements ClientLink {
  readonly protocol = 'socket.io';
  /** `auth.resume` in the handshake takes a parked session up. */
  readonly resumable = true;

  constructor(private readonly socket: RendezvousSocket) {}

  send(event: string, payload: unknown): void {
    // Socket.IO's typed emit cannot follow a generic event name; the core's ClientConnection.send checks the type.
    (this.socket as unknown as { emit(event: string, payload: unknown): boolean }).emit(event, payload);
  }

  close(): void {
    this.socket.disconnect(true);
  }

  get isOpen(): boolean {
    return this.socket.connected;
  }
}
