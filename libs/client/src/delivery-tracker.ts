/** Relayed events and the field that names their sender. */
export const RELAYED_EVENTS: Readonly<Record<string, 'from' | 'sender'>> = {
  signal: 'from',
  offer: 'sender',
  answer: 'sender',
  icecandidate: 'sender',
  greeting: 'sender',
  'call-signal': 'from',
};

/** How long a message that arrived ahead of a missing one waits for it before the gap is given up. */
export const REORDER_WAIT_MS = 3_000;

interface SenderState {
  /** The last sequence number handed to the application: everything up to it has been (or was given up). */
  last: number;
  /** Messages that arrived ahead of a missing one, by number. */
  held: Map<number, () => void>;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Sequence numbers of relayed messages, both ways. Outgoing: one counter per recipient, so that a replay keeps
 * its number. Incoming, per sender: a number already handed over is a duplicate (a replay after its sender
 * resumed) and is dropped; one that arrives ahead of a missing one waits for it, so the application hears each
 * sender in order; a number still missing after REORDER_WAIT_MS is reported as a gap and skipped.
 */
export class DeliveryTracker {
  private readonly sent = new Map<string, number>();
  private readonly received = new Map<string, SenderState>();

  constructor(
    private readonly onGap: (sender: string, missing: number) => void,
    private readonly waitMs = REORDER_WAIT_MS,
  ) {}

  /** The next sequence number for a message to `recipient`. */
  next(recipient: string): number {
    const seq = (this.sent.get(recipient) ?? 0) + 1;
    this.sent.set(recipient, seq);
    return seq;
  }

  /** Messages numbered under a placeholder (a flight peer not known yet) go on under the recipient's id. */
  rekey(placeholder: string, recipient: string): void {
    const used = this.sent.get(placeholder);
    if (used === undefined) return;
    this.sent.set(recipient, Math.max(used, this.sent.get(recipient) ?? 0));
    this.sent.delete(placeholder);
  }

  /** Hands `deliver` over now, later (in order) or never (a duplicate); false for a duplicate. */
  arrived(sender: string, seq: number, deliver: () => void): boolean {
    let state = this.received.get(sender);
    if (!state) {
      // The first message from a sender sets where it starts (numbers it used before reached someone else).
      state = { last: seq - 1, held: new Map(), timer: null };
      this.received.set(sender, state);
    }
    if (seq <= state.last || state.held.has(seq)) return false;
    if (seq > state.last + 1) {
      state.held.set(seq, deliver);
      state.timer ??= setTimeout(() => this.giveUp(sender), this.waitMs);
      return true;
    }
    deliver();
    state.last = seq;
    this.release(state);
    return true;
  }

  /** A new session: nothing sent or seen carries over. */
  reset(): void {
    this.close();
    this.sent.clear();
    this.received.clear();
  }

  close(): void {
    for (const state of this.received.values()) if (state.timer) clearTimeout(state.timer);
  }

  /** Hands over what now follows without a gap. */
  private release(state: SenderState): void {
    for (let next = state.held.get(state.last + 1); next; next = state.held.get(state.last + 1)) {
      state.held.delete(state.last + 1);
      state.last++;
      next();
    }
    if (state.held.size === 0 && state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  /** The missing numbers did not come: skip to the first held one and go on from there. */
  private giveUp(sender: string): void {
    const state = this.received.get(sender);
    if (!state) return;
    state.timer = null;
    if (state.held.size === 0) return;
    const first = Math.min(...state.held.keys());
    this.onGap(sender, first - state.last - 1);
    state.last = first - 1;
    this.release(state);
    if (state.held.size > 0) state.timer = setTimeout(() => this.giveUp(sender), this.waitMs);
  }
}
