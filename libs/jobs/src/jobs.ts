import type { JobDefinition } from './job-runner.js';
import type { RendezvousConfig } from '@rendezvous/config';
import {
  type DatabaseClient,
  PrismaMultipartyRoomStore,
  PrismaTransferRoomStore,
  PrismaUploadedFileStore,
} from '@rendezvous/persistence';
import { type ExpiredRoomsNotice, type MultipartyState, RoomCleanup } from '@rendezvous/rooms';
import { PreviewCleanup, type PreviewStorage } from '@rendezvous/uploads';

/** A run taking longer than its interval (or a minute) loses its lock. */
const maxRunMs = (intervalMs: number) => Math.max(intervalMs, 60_000);

/** Room expiry: every ROOM_CLEANUP_INTERVAL_MINUTES; sockets still attached to a deleted room are told. */
export function roomExpiryJob(
  config: RendezvousConfig,
  database: DatabaseClient,
  live: MultipartyState,
  notifyExpired: ExpiredRoomsNotice,
): JobDefinition {
  const cleanup = new RoomCleanup(
    new PrismaTransferRoomStore(database),
    new PrismaMultipartyRoomStore(database),
    live,
    config.rooms.inactivityMs,
    notifyExpired,
  );
  const intervalMs = config.rooms.cleanupIntervalMs;
  return { name: 'room-expiry', intervalMs, maxRunMs: maxRunMs(intervalMs), run: (now) => cleanup.run(now) };
}

/** Preview cleanup, storage first: every PREVIEW_CLEANUP_INTERVAL_MINUTES, files older than the retention. */
export function previewCleanupJob(
  config: RendezvousConfig,
  database: DatabaseClient,
  storage: PreviewStorage,
): JobDefinition {
  const cleanup = new PreviewCleanup(new PrismaUploadedFileStore(database), storage, config.previews.retentionMs);
  const intervalMs = config.previews.cleanupIntervalMs;
  return { name: 'preview-cleanup', intervalMs, maxRunMs: maxRunMs(intervalMs), run: (now) => cleanup.run(now) };
}
