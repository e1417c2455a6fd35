import type { ClientLink } from '@rendezvous/sessions';
import { WebSocket } from 'ws';

/** A protocol's frame for one core event, or null when the protocol has no such message. */
export type FrameEncoder = (event: string, payload: unknown) => object | null;

/** Close code and reason when the core lets a client go (a drain): DropSilk's, "going away". */
const GOING_AWAY = 1001;
const SHUTDOWN_REASON = 'Server shutdown';

/** A plain WebSocket's side of a client: the core's events become the protocol's JSON text frames. */
export class PlainWsLink implements ClientLink {
  /** No plain-WebSocket protocol knows how to take a parked session up. */
  readonly resumable = false;

  constructor(
    private readonly ws: WebSocket,
    readonly protocol: string,
    private readonly encode: FrameEncoder,
  ) {}

  send(event: string, payload: unknown): void {
    const frame = this.encode(event, payload);
    if (frame && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Sends a frame as it is (replies of the protocol's own, outside the core's events). */
  sendFrame(frame: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.close(GOING_AWAY, SHUTDOWN_REASON);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}
