import type {
  CreateFlightResult,
  FlightRecord,
  FlightStore,
  JoinFlightResult,
  LeaveFlightResult,
  RoomChannelAttached,
  RoomChannelDetached,
  RoomChannelStore,
} from '@rendezvous/signaling';
import type { MemoryTables } from './memory-tables.js';

export class MemoryFlightStore implements FlightStore {
  constructor(private readonly tables: MemoryTables) {}

  async createFlight(
    code: string,
    token: string,
    sessionId: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<CreateFlightResult> {
    const { tables } = this;
    const session = tables.sessions.get(sessionId);
    if (!session) return { status: 'no-session' };
    if (tables.liveFlightOf(session, nowMs)) return { status: 'already-in-flight' };
    if (tables.liveFlight(code, nowMs)) return { status: 'code-taken' };
    tables.flights.set(code, { token, members: [sessionId], expiresAt: nowMs + ttlMs });
    session.flight = code;
    return { status: 'created' };
  }

  async joinFlight(code: string, sessionId: string): Promise<JoinFlightResult> {
    const { tables } = this;
    const nowMs = Date.now();
    const session = tables.sessions.get(sessionId);
    if (!session) return { status: 'no-session' };
    if (tables.liveFlightOf(session, nowMs)) return { status: 'already-in-flight' };
    const flight = tables.liveFlight(code, nowMs);
    if (!flight) return { status: 'not-found' };
    if (flight.members.length >= 2) return { status: 'full' };
    const others = flight.members.map((id) => tables.member(id));
    flight.members.push(sessionId);
    flight.expiresAt = Infinity;
    session.flight = code;
    return { status: 'joined', token: flight.token, others };
  }

  async leaveFlight(sessionId: string, ttlMs: number, nowMs: number): Promise<LeaveFlightResult | null> {
    const session = this.tables.sessions.get(sessionId);
    return session ? this.tables.leave(session, ttlMs, nowMs) : null;
  }

  async getFlight(code: string, nowMs: number): Promise<FlightRecord | null> {
    const flight = this.tables.liveFlight(code, nowMs);
    return flight ? { code, token: flight.token, members: [...flight.members] } : null;
  }
}

export class MemoryRoomChannelStore implements RoomChannelStore {
  constructor(private readonly tables: MemoryTables) {}

  async attachRoomChannel(
    key: string,
    role: 'host' | 'guest',
    sessionId: string,
    ttlMs: number,
    attachment: string,
  ): Promise<RoomChannelAttached> {
    const { tables } = this;
    const now = Date.now();
    const session = tables.sessions.get(sessionId);
    if (session) session.attachment = attachment;
    let slots = tables.roomChannels.get(key);
    if (!slots || slots.expiresAt <= now) tables.roomChannels.set(key, (slots = { expiresAt: 0 }));
    const previous = slots[role];
    slots[role] = sessionId;
    slots.expiresAt = now + ttlMs;
    const other = slots[role === 'host' ? 'guest' : 'host'];
    return {
      displaced: previous && previous !== sessionId && tables.sessions.has(previous) ? previous : null,
      other: other && tables.sessions.has(other) ? tables.member(other) : null,
    };
  }

  async detachRoomChannel(key: string, role: 'host' | 'guest', sessionId: string): Promise<RoomChannelDetached> {
    const { tables } = this;
    const slots = tables.roomChannels.get(key);
    const holder = slots && slots.expiresAt > Date.now() ? slots[role] : undefined;
    if (!slots || holder !== sessionId) return { displaced: holder !== undefined, other: null };
    delete slots[role];
    const other = slots[role === 'host' ? 'guest' : 'host'];
    if (!other) tables.roomChannels.delete(key);
    return { displaced: false, other: other && tables.sessions.has(other) ? tables.member(other) : null };
  }

  async attachmentOf(sessionId: string): Promise<string | null> {
    return this.tables.sessions.get(sessionId)?.attachment ?? null;
  }
}
