import type { RoomChannel } from '@rendezvous/protocol';
import type { OutboxStore } from '@rendezvous/signaling';
import { decode, encode } from 'notepack.io';

/**
 * What travels to the replica holding a session: an event for its client, or a change of its connection state
 * (its flight peer, a transfer-room slot taken from it, or the session itself taken up by another replica).
 */
export type SessionMessage =
  /**
   * `confirm`: the sending replica, its number for the event and when it was sent (ms): confirmed once written
   * to the client, unless it arrives too late for the sender to still be waiting.
   */
  | { kind: 'event'; event: string; payload: unknown; confirm?: [string, number, number] }
  | { kind: 'flight-peer'; peerId: string | null }
  | { kind: 'room-slot-taken'; roomCode: string; channel: RoomChannel }
  | { kind: 'taken'; by: string }
  /** Something was queued for it although a replica holds it: that replica takes its outbox again. */
  | { kind: 'outbox' };

/**
 * What became of a message for a session, as its sender is told: handed to the replica holding its live
 * connection, kept in its outbox (parked, or its replica not answering), or refused: the outbox is full, the
 * session does not exist, or the live state cannot be reached.
 */
export type DeliveryOutcome = 'delivered' | 'queued' | 'full' | 'gone' | 'unavailable';

/** Where a bus keeps events for sessions no replica is delivering to, and for how long. */
export interface OutboxPolicy {
  store: OutboxStore;
  cap: number;
  ttlMs: number;
}

/**
 * Replica-to-replica delivery, independent of any client protocol. Messages for one session travel on that
 * session's own channel, so they arrive in the order they were sent (a flight peer before its `peer-joined`).
 * Broadcasts reach every other replica.
 */
export interface ClusterBus {
  /**
   * This replica now holds the session: its messages start arriving here, those queued for it first, in order.
   * Settles once the queued ones were handed over.
   */
  hold(sessionId: string): Promise<void>;
  release(sessionId: string): void;
  /** Events are queued when no replica is subscribed for the session; state changes are not. */
  toSession(sessionId: string, message: SessionMessage): Promise<DeliveryOutcome>;
  /** Queues an event that reached this replica after its session's client left (parked): it waits for it. */
  keep(sessionId: string, message: SessionMessage): Promise<DeliveryOutcome>;
  broadcast(topic: string, payload: unknown): void;
  /** `handler` says whether the message reached a live connection here (an event is then confirmed). */
  onSessionMessage(handler: (sessionId: string, message: SessionMessage) => boolean): void;
  onBroadcast(handler: (topic: string, payload: unknown) => void): void;
  close(): void;
}
export const CLUSTER_BUS = Symbol('CLUSTER_BUS');

/**
 * Standalone: this replica is the whole cluster, so a session it does not hold is parked (a drain) or gone; an
 * event for a parked one waits in its outbox.
 */
export class LocalClusterBus implements ClusterBus {
  private handler: (sessionId: string, message: SessionMessage) => boolean = () => false;

  constructor(private readonly outbox: OutboxPolicy) {}

  async hold(sessionId: string): Promise<void> {
    for (const frame of await this.outbox.store.take(sessionId)) {
      this.handler(sessionId, decode(frame) as SessionMessage);
    }
  }

  release(): void {}

  toSession(sessionId: string, message: SessionMessage): Promise<DeliveryOutcome> {
    return this.keep(sessionId, message);
  }

  async keep(sessionId: string, message: SessionMessage): Promise<DeliveryOutcome> {
    if (message.kind !== 'event') return 'gone';
    const { store, cap, ttlMs } = this.outbox;
    const result = await store.append(sessionId, encode(message) as Buffer, cap, ttlMs, true);
    return result === 'held' ? 'queued' : result;
  }

  broadcast(): void {}
  onSessionMessage(handler: (sessionId: string, message: SessionMessage) => boolean): void {
    this.handler = handler;
  }
  onBroadcast(): void {}
  close(): void {}
}
