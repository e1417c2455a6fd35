/** Relayed events and the field that names their sender. */
export const RELAYED_EVENTS: Readonly<Record<string, 'from' | 'sender'>> = {
  signal: 'from',
  offer: 'sender',
  answer: 'sender',
  icecandidate: 'sender',
  greeting: 'sender',
  'call-signal': 'from',
};

/** Sequence numbers remembered per sender; anything older than what was forgotten counts as seen. */
const WINDOW = 1_024;

/** What the tracker says of one relayed message that arrived. */
export type Arrival = { duplicate: true } | { duplicate: false; missing: number };

/**
 * Sequence numbers of relayed messages, both ways. Outgoing: one counter per recipient, so that a replay keeps
 * its number. Incoming: per sender, the numbers seen lately, so a replayed message (its sender resumed and sent
 * again what it had no receipt for) is dropped, and a jump past the next number is reported as a gap.
 */
export class DeliveryTracker {
  private readonly sent = new Map<string, number>();
  private readonly received = new Map<
    string,
    { seen: Set<number>; order: number[]; forgotten: number; last: number }
  >();

  /** The next sequence number for a message to `recipient`. */
  next(recipient: string): number {
    const seq = (this.sent.get(recipient) ?? 0) + 1;
    this.sent.set(recipient, seq);
    return seq;
  }

  arrived(sender: string, seq: number): Arrival {
    let state = this.received.get(sender);
    if (!state) this.received.set(sender, (state = { seen: new Set(), order: [], forgotten: 0, last: 0 }));
    if (seq <= state.forgotten || state.seen.has(seq)) return { duplicate: true };
    state.seen.add(seq);
    state.order.push(seq);
    if (state.order.length > WINDOW) {
      const oldest = state.order.shift() as number;
      state.seen.delete(oldest);
      state.forgotten = Math.max(state.forgotten, oldest);
    }
    const missing = seq > state.last + 1 ? seq - state.last - 1 : 0;
    state.last = Math.max(state.last, seq);
    return { duplicate: false, missing };
  }

  /** A new session: nothing sent or seen carries over. */
  reset(): void {
    this.sent.clear();
    this.received.clear();
  }
}
