import type { RoomChannel } from '@rendezvous/protocol';

/** What travels to the replica holding a session: an event for its client, or a change of its connection state. */
export type SessionMessage =
  | { kind: 'event'; event: string; payload: unknown }
  | { kind: 'flight-peer'; peerId: string | null }
  | { kind: 'room-slot-taken'; roomCode: string; channel: RoomChannel };

/**
 * Replica-to-replica delivery, independent of any client protocol. Messages for one session travel on that
 * session's own channel, so they arrive in the order they were sent (a flight peer before its `peer-joined`).
 * Broadcasts reach every other replica.
 */
export interface ClusterBus {
  /** This replica now holds the session: its messages start arriving here. */
  hold(sessionId: string): void;
  release(sessionId: string): void;
  toSession(sessionId: string, message: SessionMessage): void;
  broadcast(topic: string, payload: unknown): void;
  onSessionMessage(handler: (sessionId: string, message: SessionMessage) => void): void;
  onBroadcast(handler: (topic: string, payload: unknown) => void): void;
  close(): void;
}
export const CLUSTER_BUS = Symbol('CLUSTER_BUS');

/** Standalone: this replica is the whole cluster, so a session it does not hold does not exist. */
export class LocalClusterBus implements ClusterBus {
  hold(): void {}
  release(): void {}
  toSession(): void {}
  broadcast(): void {}
  onSessionMessage(): void {}
  onBroadcast(): void {}
  close(): void {}
}
