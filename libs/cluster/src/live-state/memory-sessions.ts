import type {
  PresenceEntry,
  PresenceStore,
  RemovedSession,
  ResumedSession,
  ParkingStore,
  SessionRecord,
  SessionStore,
} from '@rendezvous/signaling';
import { type MemoryTables, type StoredSession, toRecord } from './memory-tables.js';

export class MemorySessionStore implements SessionStore {
  constructor(private readonly tables: MemoryTables) {}

  async registerSession(session: SessionRecord): Promise<void> {
    this.tables.register(session);
  }

  async renameSession(id: string, name: string): Promise<SessionRecord | null> {
    const session = this.tables.sessions.get(id);
    if (!session) return null;
    session.name = name;
    return toRecord(session);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const session = this.tables.sessions.get(id);
    return session ? toRecord(session) : null;
  }

  async removeSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    return this.tables.remove(id, flightTtlMs, nowMs);
  }

  async restoreSession(
    session: SessionRecord,
    flight: { code: string; token: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<void> {
    const { tables } = this;
    if (!tables.sessions.has(session.id)) tables.register(session);
    const stored = tables.sessions.get(session.id) as StoredSession;
    if (!flight) return;
    const current = tables.liveFlight(flight.code, nowMs);
    if (!current) {
      tables.flights.set(flight.code, { token: flight.token, members: [session.id], expiresAt: nowMs + ttlMs });
    } else if (current.token !== flight.token || current.members.length >= 2) {
      return;
    } else if (!current.members.includes(session.id)) {
      current.members.push(session.id);
      if (current.members.length === 2) current.expiresAt = Infinity;
    }
    stored.flight = flight.code;
  }

  async sessionsOf(replicaId: string): Promise<string[]> {
    return this.tables.sessionsOf(replicaId);
  }
}

export class MemoryPresenceStore implements PresenceStore {
  constructor(private readonly tables: MemoryTables) {}

  async listNetwork(group: string): Promise<PresenceEntry[]> {
    const entries: PresenceEntry[] = [];
    for (const id of this.tables.networks.get(group) ?? []) {
      const session = this.tables.sessions.get(id);
      if (session) entries.push({ id, name: session.name, busy: this.isBusy(session) });
    }
    return entries;
  }

  async hideFromPresence(sessionId: string): Promise<void> {
    const session = this.tables.sessions.get(sessionId);
    if (session) this.tables.networks.get(session.group)?.delete(sessionId);
  }

  private isBusy(session: StoredSession): boolean {
    const flight = this.tables.liveFlightOf(session, Date.now());
    return flight !== null && flight.members.length >= 2;
  }
}

export class MemoryParkingStore implements ParkingStore {
  constructor(private readonly tables: MemoryTables) {}

  async parkSession(id: string, resumeDigest: string, untilMs: number): Promise<boolean> {
    if (!this.tables.sessions.has(id)) return false;
    this.tables.parked.set(id, { digest: resumeDigest, untilMs });
    return true;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const { tables } = this;
    const parked = tables.parked.get(id);
    const session = tables.sessions.get(id);
    if (!parked || !session || parked.untilMs <= nowMs || parked.digest !== resumeDigest) return null;
    tables.parked.delete(id);
    session.replicaId = replicaId;
    const flight = tables.liveFlightOf(session, nowMs);
    const peerId = flight?.members.find((member) => member !== id);
    return {
      session: toRecord(session),
      flight:
        flight && session.flight
          ? { code: session.flight, token: flight.token, peer: peerId ? tables.member(peerId) : null }
          : null,
    };
  }

  async expiredParkedSessions(nowMs: number): Promise<string[]> {
    return [...this.tables.parked].filter(([, parked]) => parked.untilMs <= nowMs).map(([id]) => id);
  }

  async removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    if (!this.tables.parked.has(id)) return null;
    return this.tables.remove(id, flightTtlMs, nowMs);
  }
}
