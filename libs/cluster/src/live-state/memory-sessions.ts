import type { PresenceEntry, PresenceStore, RemovedSession, SessionRecord, SessionStore } from '@rendezvous/signaling';
import { type MemoryTables, type StoredSession, toRecord } from './memory-tables.js';

export class MemorySessionStore implements SessionStore {
  constructor(private readonly tables: MemoryTables) {}

  async registerSession(session: SessionRecord, resumeDigest: string): Promise<void> {
    this.tables.register(session, resumeDigest);
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

  async removeSession(id: string, flightTtlMs: number, nowMs: number, owner?: string): Promise<RemovedSession | null> {
    const session = this.tables.sessions.get(id);
    if (owner !== undefined && (session?.replicaId !== owner || this.tables.parked.has(id))) return null;
    return this.tables.remove(id, flightTtlMs, nowMs);
  }

  async restoreSession(
    session: SessionRecord,
    resumeDigest: string,
    flight: { code: string; token: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<boolean> {
    const { tables } = this;
    const existing = tables.sessions.get(session.id);
    if (existing && existing.replicaId !== session.replicaId) return false;
    tables.parked.delete(session.id);
    if (!existing) tables.register(session, resumeDigest);
    const stored = tables.sessions.get(session.id) as StoredSession;
    if (!flight) return true;
    const current = tables.liveFlight(flight.code, nowMs);
    if (!current) {
      tables.flights.set(flight.code, { token: flight.token, members: [session.id], expiresAt: nowMs + ttlMs });
    } else if (current.token !== flight.token || current.members.length >= 2) {
      return true;
    } else if (!current.members.includes(session.id)) {
      current.members.push(session.id);
      if (current.members.length === 2) current.expiresAt = Infinity;
    }
    stored.flight = flight.code;
    return true;
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
