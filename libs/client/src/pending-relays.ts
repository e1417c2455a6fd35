import type { AckResponse, ErrorPayload } from '@rendezvous/protocol';

/** A relayed message waiting for its receipt; sent again after a resume when the connection dropped first. */
interface PendingRelay {
  event: string;
  payload: Record<string, unknown>;
  resolve: (data: unknown) => void;
  reject: (error: ErrorPayload) => void;
  timer: ReturnType<typeof setTimeout> | null;
  /** The attempt whose answer counts (an answer to an earlier one is ignored). */
  attempt: number;
}

export type Transmit = (event: string, payload: Record<string, unknown>, ack: (answer: AckResponse) => void) => void;

/**
 * Relayed messages sent but not yet answered, oldest first. A message waits while the client has no session
 * (connecting, reconnecting) and goes out once it has; a lost connection pauses the ones in flight, which go out
 * again, with the same sequence number, once the session is resumed (the recipient drops a second copy).
 */
export class PendingRelays {
  private readonly pending = new Map<number, PendingRelay>();
  private ids = 0;

  constructor(
    private readonly transmitter: Transmit,
    private readonly timeoutMs: number,
  ) {}

  add(event: string, payload: Record<string, unknown>, sendNow: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const relay: PendingRelay = { event, payload, resolve, reject, timer: null, attempt: 0 };
      const id = ++this.ids;
      this.pending.set(id, relay);
      if (sendNow) this.transmit(id, relay);
    });
  }

  /** Sends, oldest first, every message that is not in flight. */
  flush(): void {
    for (const [id, relay] of this.pending) if (relay.timer === null) this.transmit(id, relay);
  }

  /** The connection dropped: no answer will come to what is in flight; it waits (its timer stops meanwhile). */
  pauseAll(): void {
    for (const relay of this.pending.values()) {
      relay.attempt++;
      if (relay.timer) clearTimeout(relay.timer);
      relay.timer = null;
    }
  }

  /** Ends every message with `error` (the session is gone, or the client closed). */
  failAll(error: ErrorPayload): void {
    this.pauseAll();
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const relay of failed) relay.reject(error);
  }

  private transmit(id: number, relay: PendingRelay): void {
    const attempt = ++relay.attempt;
    relay.timer = setTimeout(() => {
      this.pending.delete(id);
      relay.reject({ code: 'timeout' as never, message: 'No answer from the server', event: relay.event });
    }, this.timeoutMs);
    this.transmitter(relay.event, relay.payload, (answer) => {
      if (relay.attempt !== attempt || !this.pending.has(id)) return;
      this.pending.delete(id);
      if (relay.timer) clearTimeout(relay.timer);
      if (answer.ok) relay.resolve(answer.data);
      else relay.reject(answer.error);
    });
  }
}
