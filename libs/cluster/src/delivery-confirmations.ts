import { decode, encode } from 'notepack.io';

/** How long a sender waits for the holding replica to confirm an event before it keeps it in the outbox. */
export const CONFIRM_TIMEOUT_MS = 1_500;
/**
 * An event older than this when its holder writes it is not confirmed: the holder was frozen or cut off (its
 * client may be gone, or resumed elsewhere), and its sender, no longer waiting, has kept it in the outbox. Replica
 * clocks must agree far better than this (NTP does).
 */
const CONFIRM_MAX_AGE_MS = 1_000;
const SWEEP_INTERVAL_MS = 250;

interface Awaiting {
  resolve: (confirmed: boolean) => void;
  sentAt: number;
}

/**
 * End-to-end confirmation of cross-replica events. The sender numbers each event it publishes; the replica that
 * writes it to its client's connection confirms it, batched per sending replica (one publish per event-loop
 * turn). An event nobody confirms in time (its replica froze, was cut off, or died with it in flight) is not
 * called delivered: the sender keeps it in the session's outbox instead.
 */
export class DeliveryConfirmations {
  private readonly awaiting = new Map<number, Awaiting>();
  private lastId = 0;
  private readonly outgoing = new Map<string, number[]>();
  private flushScheduled = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    /** This replica's channel for confirmations (`P c:<replica>`), and another replica's. */
    private readonly channelOf: (replicaId: string) => string,
    private readonly publish: (channel: string, frame: Buffer) => void,
    private readonly timeoutMs = CONFIRM_TIMEOUT_MS,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(SWEEP_INTERVAL_MS, timeoutMs));
    this.sweeper.unref();
  }

  /** A number for an event about to be published, and whether its holder confirmed it in time. */
  expect(): { id: number; confirmed: Promise<boolean> } {
    const id = ++this.lastId;
    const confirmed = new Promise<boolean>((resolve) => this.awaiting.set(id, { resolve, sentAt: Date.now() }));
    return { id, confirmed };
  }

  /** The publish reached nobody: nothing will confirm it. */
  cancel(id: number): void {
    this.awaiting.delete(id);
  }

  /** This replica wrote an event of `replicaId`'s, sent at `sentAt`, to its client: tell it (batched). */
  confirm(replicaId: string, id: number, sentAt: number): void {
    if (Date.now() - sentAt > CONFIRM_MAX_AGE_MS) return;
    let ids = this.outgoing.get(replicaId);
    if (!ids) this.outgoing.set(replicaId, (ids = []));
    ids.push(id);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** A batch of confirmations for this replica's events. */
  received(frame: Buffer): void {
    for (const id of decode(frame) as number[]) {
      const awaiting = this.awaiting.get(id);
      if (!awaiting) continue;
      this.awaiting.delete(id);
      awaiting.resolve(true);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const awaiting of this.awaiting.values()) awaiting.resolve(false);
    this.awaiting.clear();
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const [replicaId, ids] of this.outgoing) this.publish(this.channelOf(replicaId), encode(ids) as Buffer);
    this.outgoing.clear();
  }

  private sweep(): void {
    const overdue = Date.now() - this.timeoutMs;
    for (const [id, awaiting] of this.awaiting) {
      // Insertion order is send order: the first one in time ends the sweep.
      if (awaiting.sentAt > overdue) break;
      this.awaiting.delete(id);
      awaiting.resolve(false);
    }
  }
}
