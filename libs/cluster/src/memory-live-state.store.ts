import type {
  ClusterCounts,
  CreateFlightResult,
  FlightMember,
  FlightRecord,
  JoinFlightResult,
  LeaveFlightResult,
  LiveStateStore,
  PresenceEntry,
  RemovedSession,
  ResumedSession,
  RoomChannelAttached,
  RoomChannelDetached,
  SessionRecord,
} from '@rendezvous/signaling';

interface StoredSession extends SessionRecord {
  flight: string | null;
  attachment?: string;
}
interface StoredFlight {
  room: string;
  members: string[];
  /** Epoch ms; Infinity while the flight is full. */
  expiresAt: number;
}

/**
 * Standalone live state. JavaScript runs each method to completion between awaits, so every method is atomic
 * just as the Lua scripts of the Redis store are.
 */
export class MemoryLiveStateStore implements LiveStateStore {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly flights = new Map<string, StoredFlight>();
  private readonly networks = new Map<string, Set<string>>();
  private readonly replicas = new Map<string, number>();
  private readonly reapLocks = new Map<string, { holder: string; untilMs: number }>();
  private readonly roomChannels = new Map<string, { host?: string; guest?: string; expiresAt: number }>();
  /** Session id -> resume token digest and end of grace. */
  private readonly parked = new Map<string, { digest: string; untilMs: number }>();

  async registerSession(session: SessionRecord): Promise<void> {
    this.sessions.set(session.id, { ...session, flight: null });
    let members = this.networks.get(session.group);
    if (!members) this.networks.set(session.group, (members = new Set()));
    members.add(session.id);
  }

  async renameSession(id: string, name: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(id);
    if (!session) return null;
    session.name = name;
    return toRecord(session);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const session = this.sessions.get(id);
    return session ? toRecord(session) : null;
  }

  async removeSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    const session = this.sessions.get(id);
    if (!session) return null;
    this.parked.delete(id);
    const flight = this.leave(session, flightTtlMs, nowMs);
    this.sessions.delete(id);
    const network = this.networks.get(session.group);
    network?.delete(id);
    if (network?.size === 0) this.networks.delete(session.group);
    return { session: toRecord(session), flight };
  }

  async removeParkedSession(id: string, flightTtlMs: number, nowMs: number): Promise<RemovedSession | null> {
    if (!this.parked.has(id)) return null;
    return this.removeSession(id, flightTtlMs, nowMs);
  }

  async parkSession(id: string, resumeDigest: string, untilMs: number): Promise<boolean> {
    if (!this.sessions.has(id)) return false;
    this.parked.set(id, { digest: resumeDigest, untilMs });
    return true;
  }

  async resumeSession(
    id: string,
    resumeDigest: string,
    replicaId: string,
    nowMs: number,
  ): Promise<ResumedSession | null> {
    const parked = this.parked.get(id);
    const session = this.sessions.get(id);
    if (!parked || !session || parked.untilMs <= nowMs || parked.digest !== resumeDigest) return null;
    this.parked.delete(id);
    session.replicaId = replicaId;
    const flight = this.liveFlightOf(session, nowMs);
    const peerId = flight?.members.find((member) => member !== id);
    return {
      session: toRecord(session),
      flight:
        flight && session.flight
          ? { code: session.flight, room: flight.room, peer: peerId ? this.member(peerId) : null }
          : null,
    };
  }

  async expiredParkedSessions(nowMs: number): Promise<string[]> {
    return [...this.parked].filter(([, parked]) => parked.untilMs <= nowMs).map(([id]) => id);
  }

  async listNetwork(group: string): Promise<PresenceEntry[]> {
    const entries: PresenceEntry[] = [];
    for (const id of this.networks.get(group) ?? []) {
      const session = this.sessions.get(id);
      if (session) entries.push({ id, name: session.name, busy: this.isBusy(session) });
    }
    return entries;
  }

  async createFlight(
    code: string,
    room: string,
    sessionId: string,
    ttlMs: number,
    nowMs: number,
  ): Promise<CreateFlightResult> {
    const session = this.sessions.get(sessionId);
    if (!session) return { status: 'no-session' };
    if (this.liveFlightOf(session, nowMs)) return { status: 'already-in-flight' };
    if (this.liveFlight(code, nowMs)) return { status: 'code-taken' };
    this.flights.set(code, { room, members: [sessionId], expiresAt: nowMs + ttlMs });
    session.flight = code;
    return { status: 'created' };
  }

  async joinFlight(code: string, sessionId: string): Promise<JoinFlightResult> {
    const nowMs = Date.now();
    const session = this.sessions.get(sessionId);
    if (!session) return { status: 'no-session' };
    if (this.liveFlightOf(session, nowMs)) return { status: 'already-in-flight' };
    const flight = this.liveFlight(code, nowMs);
    if (!flight) return { status: 'not-found' };
    if (flight.members.length >= 2) return { status: 'full' };
    const others = flight.members.map((id) => this.member(id));
    flight.members.push(sessionId);
    flight.expiresAt = Infinity;
    session.flight = code;
    return { status: 'joined', room: flight.room, others };
  }

  async leaveFlight(sessionId: string, ttlMs: number, nowMs: number): Promise<LeaveFlightResult | null> {
    const session = this.sessions.get(sessionId);
    return session ? this.leave(session, ttlMs, nowMs) : null;
  }

  async getFlight(code: string, nowMs: number): Promise<FlightRecord | null> {
    const flight = this.liveFlight(code, nowMs);
    return flight ? { code, room: flight.room, members: [...flight.members] } : null;
  }

  async restoreSession(
    session: SessionRecord,
    flight: { code: string; room: string } | null,
    ttlMs: number,
    nowMs: number,
  ): Promise<void> {
    const existing = this.sessions.get(session.id);
    if (!existing) await this.registerSession(session);
    const stored = this.sessions.get(session.id) as StoredSession;
    if (!flight) return;
    const current = this.liveFlight(flight.code, nowMs);
    if (!current) {
      this.flights.set(flight.code, { room: flight.room, members: [session.id], expiresAt: nowMs + ttlMs });
    } else if (current.room !== flight.room || current.members.length >= 2) {
      return;
    } else if (!current.members.includes(session.id)) {
      current.members.push(session.id);
      if (current.members.length === 2) current.expiresAt = Infinity;
    }
    stored.flight = flight.code;
  }

  async attachRoomChannel(
    key: string,
    role: 'host' | 'guest',
    sessionId: string,
    ttlMs: number,
    attachment: string,
  ): Promise<RoomChannelAttached> {
    const now = Date.now();
    const session = this.sessions.get(sessionId);
    if (session) session.attachment = attachment;
    let slots = this.roomChannels.get(key);
    if (!slots || slots.expiresAt <= now) this.roomChannels.set(key, (slots = { expiresAt: 0 }));
    const previous = slots[role];
    slots[role] = sessionId;
    slots.expiresAt = now + ttlMs;
    const other = slots[role === 'host' ? 'guest' : 'host'];
    return {
      displaced: previous && previous !== sessionId && this.sessions.has(previous) ? previous : null,
      other: other && this.sessions.has(other) ? this.member(other) : null,
    };
  }

  async detachRoomChannel(key: string, role: 'host' | 'guest', sessionId: string): Promise<RoomChannelDetached> {
    const slots = this.roomChannels.get(key);
    const holder = slots && slots.expiresAt > Date.now() ? slots[role] : undefined;
    if (!slots || holder !== sessionId) return { displaced: holder !== undefined, other: null };
    delete slots[role];
    const other = slots[role === 'host' ? 'guest' : 'host'];
    if (!other) this.roomChannels.delete(key);
    return { displaced: false, other: other && this.sessions.has(other) ? this.member(other) : null };
  }

  async attachmentOf(sessionId: string): Promise<string | null> {
    return this.sessions.get(sessionId)?.attachment ?? null;
  }

  async hideFromPresence(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (session) this.networks.get(session.group)?.delete(sessionId);
  }

  async heartbeat(replicaId: string, nowMs: number): Promise<boolean> {
    const known = this.replicas.has(replicaId);
    this.replicas.set(replicaId, nowMs);
    return known;
  }

  async deadReplicas(nowMs: number, timeoutMs: number): Promise<string[]> {
    return [...this.replicas].filter(([, seen]) => seen < nowMs - timeoutMs).map(([id]) => id);
  }

  async claimDeadReplica(replicaId: string, lockMs: number, holder: string): Promise<string[] | null> {
    const now = Date.now();
    if ((this.reapLocks.get(replicaId)?.untilMs ?? 0) > now) return null;
    this.reapLocks.set(replicaId, { holder, untilMs: now + lockMs });
    return this.sessionsOf(replicaId);
  }

  async renewReapLock(replicaId: string, lockMs: number, holder: string): Promise<boolean> {
    const lock = this.reapLocks.get(replicaId);
    const now = Date.now();
    if (!lock || lock.holder !== holder || lock.untilMs <= now) return false;
    lock.untilMs = now + lockMs;
    return true;
  }

  async forgetReplica(replicaId: string): Promise<void> {
    this.replicas.delete(replicaId);
    this.reapLocks.delete(replicaId);
  }

  async sessionsOf(replicaId: string): Promise<string[]> {
    return [...this.sessions.values()]
      .filter((s) => s.replicaId === replicaId && !this.parked.has(s.id))
      .map((s) => s.id);
  }

  async counts(nowMs: number): Promise<ClusterCounts> {
    const perReplica = new Map<string, number>();
    for (const session of this.sessions.values()) {
      if (this.parked.has(session.id)) continue;
      perReplica.set(session.replicaId, (perReplica.get(session.replicaId) ?? 0) + 1);
    }
    let flights = 0;
    for (const code of this.flights.keys()) if (this.liveFlight(code, nowMs)) flights++;
    return {
      sessions: this.sessions.size - this.parked.size,
      flights,
      replicas: [...this.replicas].map(([id, lastHeartbeat]) => ({
        id,
        lastHeartbeat,
        sessions: perReplica.get(id) ?? 0,
      })),
    };
  }

  async ping(): Promise<void> {}

  private leave(session: StoredSession, ttlMs: number, nowMs: number): LeaveFlightResult | null {
    const code = session.flight;
    session.flight = null;
    if (!code) return null;
    const flight = this.liveFlight(code, nowMs);
    if (!flight || !flight.members.includes(session.id)) return null;
    flight.members = flight.members.filter((id) => id !== session.id);
    if (flight.members.length === 0) this.flights.delete(code);
    else flight.expiresAt = nowMs + ttlMs;
    return { code, room: flight.room, remaining: flight.members.map((id) => this.member(id)) };
  }

  private liveFlight(code: string, nowMs: number): StoredFlight | null {
    const flight = this.flights.get(code);
    if (!flight) return null;
    if (flight.expiresAt <= nowMs) {
      this.flights.delete(code);
      return null;
    }
    return flight;
  }

  private liveFlightOf(session: StoredSession, nowMs: number): StoredFlight | null {
    if (!session.flight) return null;
    const flight = this.liveFlight(session.flight, nowMs);
    return flight?.members.includes(session.id) ? flight : null;
  }

  private isBusy(session: StoredSession): boolean {
    const flight = this.liveFlightOf(session, Date.now());
    return flight !== null && flight.members.length >= 2;
  }

  private member(id: string): FlightMember {
    const session = this.sessions.get(id);
    return { id, name: session?.name ?? '', address: session?.address ?? '', group: session?.group ?? '' };
  }
}

function toRecord(session: StoredSession): SessionRecord {
  return {
    id: session.id,
    name: session.name,
    replicaId: session.replicaId,
    address: session.address,
    group: session.group,
  };
}
