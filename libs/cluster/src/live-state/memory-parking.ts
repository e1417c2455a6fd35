import type { OutboxResult, OutboxStore, ParkingStore, RemovedSession, ResumedSession } from '@rendezvous/signaling';
import { type MemoryTables, toRecord } from './memory-tables.js';

export class MemoryParkingStore implements ParkingStore {
  constructor(private readonly tables: MemoryTables) {}

  async parkSession(id: string, heldBy: string, resumeDigest: string | null, untilMs: number): Promise<boolean> {
    const session = this.tables.sessions.get(id);
    if (session?.replicaId !== heldBy || this.tables.parked.has(id)) return false;
    if (resumeDigest !== null) session.resumeDigest = resumeDigest;
    session.held = false;
    this.tables.parked.set(id, untilMs);
    return true;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    nextDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const { tables } = this;
    const session = tables.sessions.get(id);
    if (!session || session.resumeDigest !== resumeDigest) return null;
    const parkedUntil = tables.parked.get(id);
    if (parkedUntil !== undefined && parkedUntil <= nowMs) return null;
    const takenFrom = parkedUntil === undefined ? session.replicaId : null;
    tables.parked.delete(id);
    session.replicaId = replicaId;
    session.resumeDigest = nextDigest;
    session.held = false;
    const flight = tables.liveFlightOf(session, nowMs);
    const peerId = flight?.members.find((member) => member !== id);
    return {
      session: toRecord(session),
      flight:
        flight && session.flight
          ? { code: session.flight, token: flight.token, peer: peerId ? tables.member(peerId) : null }
          : null,
      takenFrom,
    };
  }

  async expiredParkedSessions(nowMs: number): Promise<string[]> {
    return [...this.tables.parked].filter(([, untilMs]) => untilMs <= nowMs).map(([id]) => id);
  }

  async removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    if (!this.tables.parked.has(id)) return null;
    return this.tables.remove(id, flightTtlMs, nowMs);
  }
}

export class MemoryOutboxStore implements OutboxStore {
  constructor(private readonly tables: MemoryTables) {}

  async append(sessionId: string, message: Buffer, cap: number, ttlMs: number, force: boolean): Promise<OutboxResult> {
    const session = this.tables.sessions.get(sessionId);
    if (!session) return 'gone';
    if (session.held && !force) return 'held';
    const now = Date.now();
    let outbox = this.tables.outboxes.get(sessionId);
    if (!outbox || outbox.expiresAt <= now)
      this.tables.outboxes.set(sessionId, (outbox = { messages: [], expiresAt: 0 }));
    if (outbox.messages.length >= cap) return 'full';
    outbox.messages.push(message);
    outbox.expiresAt = now + ttlMs;
    return 'queued';
  }

  async take(sessionId: string): Promise<Buffer[]> {
    const session = this.tables.sessions.get(sessionId);
    if (!session) return [];
    session.held = true;
    const outbox = this.tables.outboxes.get(sessionId);
    this.tables.outboxes.delete(sessionId);
    return outbox && outbox.expiresAt > Date.now() ? outbox.messages : [];
  }
}
