import type { MultipartyRoomStore } from './multiparty/multiparty-room.store.js';
import type { MultipartyState } from './multiparty/multiparty-state.port.js';
import type { TransferRoomStore } from './transfer-room.js';

/** What one cleanup run did; `failed` counts rooms found but not deleted (changed meanwhile, or still in use). */
export interface CleanupResult {
  found: number;
  deleted: number;
  failed: number;
  pruned: number;
}

const BATCH = 500;

/**
 * Tells the sockets still attached to transfer rooms that were deleted, wherever they are connected.
 * Best effort and never rejects: the rooms are gone either way.
 */
export type ExpiredRoomsNotice = (codes: string[]) => Promise<void>;

/** The Redis channel on which the scheduler tells every gateway replica which transfer rooms expired. */
export const roomsExpiredChannel = (keyPrefix: string): string => `${keyPrefix}rooms-expired`;

/**
 * Room expiry: transfer rooms past their expiry, and multiparty rooms inactive for longer than the window that
 * nobody is in right now. Every delete re-checks its condition, so a room used while the run reads is kept.
 */
export class RoomCleanup {
  constructor(
    private readonly transferRooms: TransferRoomStore,
    private readonly multipartyRooms: MultipartyRoomStore,
    private readonly live: MultipartyState,
    private readonly inactivityMs: number,
    private readonly notifyExpired: ExpiredRoomsNotice,
  ) {}

  async run(now: Date): Promise<CleanupResult> {
    const transfer = await this.transferRooms.deleteExpired(now, BATCH);
    if (transfer.deletedCodes.length > 0) await this.notifyExpired(transfer.deletedCodes);
    const before = new Date(now.getTime() - this.inactivityMs);
    const inactive = await this.multipartyRooms.listInactive(before, BATCH);
    const members = await this.live.memberCounts(inactive);
    const empty = inactive.filter((id) => (members.get(id) ?? 0) === 0);
    const pruned = await this.multipartyRooms.deleteInactive(empty, before);
    const found = transfer.found + inactive.length;
    const deleted = transfer.deletedCodes.length + pruned;
    return { found, deleted, failed: found - deleted, pruned };
  }
}
