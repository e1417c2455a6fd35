/** One member of a flight as its story tells it. */
export interface FlightStoryMember {
  id: string;
  name: string;
  replica: string;
  joinedAt: number;
}

/** What the live state kept about a flight until it ended. */
export interface FlightStoryRecord {
  code: string;
  createdAt: number;
  members: FlightStoryMember[];
  connectionType: 'lan' | 'wan' | null;
  signals: number;
  /** Replicas a member moved to during the flight (resumed there after a drain). */
  movedTo: string[];
}

/** The "FLIGHT STORY COMPLETE" log entry: one per finished flight, wherever its members sat. */
export interface FlightStory {
  flightCode: string;
  participants: { id: string; name: string; replica: string; joinedAt: string }[];
  connectionType: 'lan' | 'wan' | null;
  replicas: string[];
  createdAt: string;
  endedAt: string;
  durationMs: number;
  signalsExchanged: number;
  ended: { by: string; how: 'left' | 'disconnected' | 'replica-lost' };
}

/**
 * Flight stories, kept in the live state beside the flight so that replicas can each add what they saw: members
 * as they create or join, and the signals their own sockets sent (added when each member leaves, before its
 * departure is recorded, so the member that ends the flight reads every count). `finish` reads and removes the
 * story at once, so exactly one replica tells it.
 */
export interface FlightStories {
  begin(code: string, creator: FlightStoryMember, ttlMs: number): Promise<void>;
  joined(code: string, member: FlightStoryMember, connectionType: 'lan' | 'wan'): Promise<void>;
  addSignals(code: string, count: number): Promise<void>;
  /** A member resumed its session, in this flight, on `replica`. */
  moved(code: string, replica: string): Promise<void>;
  finish(code: string): Promise<FlightStoryRecord | null>;
}

export const FLIGHT_STORIES = Symbol('FLIGHT_STORIES');

export function tellFlightStory(
  record: FlightStoryRecord,
  ended: FlightStory['ended'],
  endedAtMs: number,
): FlightStory {
  const members = [...record.members].sort((a, b) => a.joinedAt - b.joinedAt);
  return {
    flightCode: record.code,
    participants: members.map((member) => ({ ...member, joinedAt: new Date(member.joinedAt).toISOString() })),
    connectionType: record.connectionType,
    replicas: [...new Set([...members.map((member) => member.replica), ...record.movedTo])],
    createdAt: new Date(record.createdAt).toISOString(),
    endedAt: new Date(endedAtMs).toISOString(),
    durationMs: Math.max(0, endedAtMs - record.createdAt),
    signalsExchanged: record.signals,
    ended,
  };
}
