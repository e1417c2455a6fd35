/** A multiparty room as stored: the durable part (who is inside lives in MultipartyState). */
export interface MultipartyRoomRecord {
  id: string;
  name: string;
  passwordHash: string | null;
  /** Members at most; 0 means only ROOM_MAX_MEMBERS applies. */
  guestLimit: number;
  isPublic: boolean;
  createdAt: Date;
  lastActiveAt: Date;
}

/** Durable multiparty rooms. `insert` is conditional on the id, so two replicas cannot both create a room. */
export interface MultipartyRoomStore {
  find(id: string): Promise<MultipartyRoomRecord | null>;
  insert(room: MultipartyRoomRecord): Promise<'created' | 'exists'>;
  touch(id: string, at: Date): Promise<void>;
  /** Up to `limit` ids of rooms last active before `before`, oldest first. */
  listInactive(before: Date, limit: number): Promise<string[]>;
  /** Deletes those of `ids` still inactive since `before`; how many. */
  deleteInactive(ids: string[], before: Date): Promise<number>;
  /** Public rooms, most recently active first. */
  listPublic(limit: number): Promise<MultipartyRoomRecord[]>;
}

export const MULTIPARTY_ROOM_STORE = Symbol('MULTIPARTY_ROOM_STORE');
