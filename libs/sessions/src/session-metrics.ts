/** Lifecycle events counted per replica (rendezvous_lifecycle_events_total, /api/status). */
export type SessionEvent = 'connection' | 'disconnection' | 'session_resumed' | 'flight_created' | 'flight_joined';

/** What the core reports to the replica's metrics; the app decides where it goes. */
export interface SessionMetrics {
  count(event: SessionEvent): void;
  /** A client refused before it had a session (draining, a bad token, too many connections). */
  refused(reason: string): void;
}

export const SESSION_METRICS = Symbol('SESSION_METRICS');
