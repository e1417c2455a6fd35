import type { FlightMember, LeaveFlightResult, RemovedSession, SessionRecord } from '@rendezvous/signaling';

export interface StoredSession extends SessionRecord {
  flight: string | null;
  attachment?: string;
  /** Digest of its client's resume credential. */
  resumeDigest: string;
  /** A replica is subscribed for it: senders publish rather than queue. */
  held: boolean;
}

export interface StoredFlight {
  token: string;
  members: string[];
  /** Epoch ms; Infinity while the flight is full. */
  expiresAt: number;
}

/**
 * The standalone live state's tables, shared by its role stores (one session changes presence, flights and
 * room channels together). JavaScript runs each method to completion between awaits, so every store method is
 * atomic just as the Redis store's Lua scripts are.
 */
export class MemoryTables {
  readonly sessions = new Map<string, StoredSession>();
  readonly flights = new Map<string, StoredFlight>();
  readonly networks = new Map<string, Set<string>>();
  readonly replicas = new Map<string, number>();
  readonly reapLocks = new Map<string, { holder: string; untilMs: number }>();
  readonly roomChannels = new Map<string, { host?: string; guest?: string; expiresAt: number }>();
  /** Session id -> end of its grace. */
  readonly parked = new Map<string, number>();
  /** Session id -> its outbox, oldest first, and when it ends (its last append plus the TTL). */
  readonly outboxes = new Map<string, { messages: Buffer[]; expiresAt: number }>();

  register(session: SessionRecord, resumeDigest: string): void {
    this.sessions.set(session.id, { ...session, flight: null, resumeDigest, held: false });
    let members = this.networks.get(session.group);
    if (!members) this.networks.set(session.group, (members = new Set()));
    members.add(session.id);
  }

  remove(id: string, flightTtlMs: number, nowMs: number): RemovedSession | null {
    const session = this.sessions.get(id);
    if (!session) return null;
    this.parked.delete(id);
    this.outboxes.delete(id);
    const flight = this.leave(session, flightTtlMs, nowMs);
    this.sessions.delete(id);
    const network = this.networks.get(session.group);
    network?.delete(id);
    if (network?.size === 0) this.networks.delete(session.group);
    return { session: toRecord(session), flight };
  }

  leave(session: StoredSession, ttlMs: number, nowMs: number): LeaveFlightResult | null {
    const code = session.flight;
    session.flight = null;
    if (!code) return null;
    const flight = this.liveFlight(code, nowMs);
    if (!flight || !flight.members.includes(session.id)) return null;
    flight.members = flight.members.filter((id) => id !== session.id);
    if (flight.members.length === 0) this.flights.delete(code);
    else flight.expiresAt = nowMs + ttlMs;
    return { code, token: flight.token, remaining: flight.members.map((id) => this.member(id)) };
  }

  liveFlight(code: string, nowMs: number): StoredFlight | null {
    const flight = this.flights.get(code);
    if (!flight) return null;
    if (flight.expiresAt <= nowMs) {
      this.flights.delete(code);
      return null;
    }
    return flight;
  }

  liveFlightOf(session: StoredSession, nowMs: number): StoredFlight | null {
    if (!session.flight) return null;
    const flight = this.liveFlight(session.flight, nowMs);
    return flight?.members.includes(session.id) ? flight : null;
  }

  member(id: string): FlightMember {
    const session = this.sessions.get(id);
    return { id, name: session?.name ?? '', address: session?.address ?? '', group: session?.group ?? '' };
  }

  /** Sessions held by a replica (parked ones are no longer its own). */
  sessionsOf(replicaId: string): string[] {
    return [...this.sessions.values()]
      .filter((s) => s.replicaId === replicaId && !this.parked.has(s.id))
      .map((s) => s.id);
  }
}

export function toRecord(session: StoredSession): SessionRecord {
  return {
    id: session.id,
    name: session.name,
    replicaId: session.replicaId,
    address: session.address,
    group: session.group,
  };
}
