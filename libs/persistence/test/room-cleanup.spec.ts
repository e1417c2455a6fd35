import { MemoryMultipartyState } from '@rendezvous/cluster';
import { type MultipartyRoomRecord, RoomCleanup, TransferRoomService } from '@rendezvous/rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, openSqlite } from '../../../test/support/databases.js';
import type { DatabaseClient } from '../src/database.client.js';
import { PrismaMultipartyRoomStore } from '../src/multiparty-room.repository.js';
import { PrismaTransferRoomStore } from '../src/transfer-room.repository.js';

const MINUTE = 60_000;
const TTL = 30 * MINUTE;
const INACTIVITY = 60 * MINUTE;

function describeCleanup(name: string, open: () => Promise<{ client: DatabaseClient; close(): Promise<void> }>) {
  describe(`room expiry on ${name}`, () => {
    let client: DatabaseClient;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ client, close } = await open());
    });
    afterAll(async () => close?.());

    it('deletes expired transfer rooms and idle empty multiparty rooms, and keeps the rest', async () => {
      let clock = new Date('2026-11-22T10:00:00Z');
      const transferStore = new PrismaTransferRoomStore(client);
      const transfer = new TransferRoomService(transferStore, TTL, () => clock);
      const multipartyStore = new PrismaMultipartyRoomStore(client);
      const live = new MemoryMultipartyState();
      const expiredNotices: string[][] = [];
      const cleanup = new RoomCleanup(transferStore, multipartyStore, live, INACTIVITY, async (codes) => {
        expiredNotices.push(codes);
      });

      const old = await transfer.create('Old'); // expires 10:30
      clock = new Date('2026-11-22T10:20:00Z');
      const boundary = await transfer.create('Boundary'); // expires 10:50
      clock = new Date('2026-11-22T10:40:00Z');
      const fresh = await transfer.create('Fresh'); // expires 11:10

      const room = (id: string, lastActiveAt: string): MultipartyRoomRecord => ({
        id,
        name: id,
        passwordHash: null,
        guestLimit: 0,
        isPublic: false,
        createdAt: new Date('2026-11-22T08:00:00Z'),
        lastActiveAt: new Date(lastActiveAt),
      });
      await multipartyStore.insert(room('idle-empty', '2026-11-22T09:00:00Z'));
      await multipartyStore.insert(room('idle-occupied', '2026-11-22T09:00:00Z'));
      await multipartyStore.insert(room('recent', '2026-11-22T10:00:00Z'));
      await live.joinRoom('idle-occupied', { id: 'someone123', username: 'Still Here' }, 10);

      // 10:50: "Old" is past expiry, "Boundary" expires exactly now; the idle window reaches back to 09:50.
      const result = await cleanup.run(new Date('2026-11-22T10:50:00Z'));
      expect(result).toEqual({ found: 4, deleted: 3, failed: 1, pruned: 1 });
      // The sockets still attached to the deleted transfer rooms are to be told; no one else.
      expect(expiredNotices.map((codes) => [...codes].sort())).toEqual([[old.roomCode, boundary.roomCode].sort()]);

      const codes = (await client.transferRoom.findMany({ select: { code: true } })).map((r) => r.code);
      expect(codes).toContain(fresh.roomCode);
      expect(codes).not.toContain(old.roomCode);
      expect(codes).not.toContain(boundary.roomCode);
      const ids = (await client.multipartyRoom.findMany({ select: { id: true } })).map((r) => r.id).sort();
      expect(ids).toEqual(['idle-occupied', 'recent']);

      expect(await cleanup.run(new Date('2026-11-22T10:50:00Z'))).toEqual({
        found: 1,
        deleted: 0,
        failed: 1,
        pruned: 0,
      });
      expect(expiredNotices).toHaveLength(1);
    });
  });
}

describeCleanup('SQLite', () => openSqlite('cleanup'));
describeCleanup('PostgreSQL', () => openPostgres('cleanup'));
