import { TransferRoomError, TransferRoomService } from '@rendezvous/rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, openSqlite } from '../../../test/support/databases.js';
import type { DatabaseClient } from '../src/database.client.js';
import { PrismaTransferRoomStore } from '../src/transfer-room.repository.js';

const TTL_MS = 30 * 60_000;

/** The same rules against each database: a test clock drives expiry. */
function describeTransferRooms(name: string, open: () => Promise<{ client: DatabaseClient; close(): Promise<void> }>) {
  describe(`transfer rooms on ${name}`, () => {
    let client: DatabaseClient;
    let close: () => Promise<void>;
    let now = new Date('2026-11-22T10:00:00Z');
    let service: TransferRoomService;

    beforeAll(async () => {
      ({ client, close } = await open());
      service = new TransferRoomService(new PrismaTransferRoomStore(client), TTL_MS, () => now);
    });
    afterAll(async () => close?.());

    const expectError = async (work: Promise<unknown>, message: string, status: number) => {
      const error = await work.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TransferRoomError);
      expect(error).toMatchObject({ message, status });
    };

    it('pairs a host and one guest, with readiness, screen share and chat', async () => {
      const host = await service.create('Alice');
      expect(host).toMatchObject({ status: 'waiting', shouldConnect: false, peer: null, self: { role: 'host' } });
      expect(host.self.participantId).toMatch(/^[0-9a-z]{12}$/);
      const guest = await service.join(host.roomCode, 'Bob');
      expect(guest).toMatchObject({ status: 'paired', self: { role: 'guest', name: 'Bob' }, peer: { name: 'Alice' } });
      await expectError(service.join(host.roomCode, 'Eve'), 'Room already has two participants', 400);

      const ready = await service.ready(host.roomCode, guest.self.participantId, 3, 5_000_000_000);
      expect(ready).toMatchObject({
        status: 'ready',
        shouldConnect: true,
        self: { ready: true, fileCount: 3, totalBytes: 5_000_000_000 },
      });

      const sharing = await service.screenShare(host.roomCode, host.self.participantId, true);
      expect(sharing.screenShare).toEqual({
        activeParticipantId: host.self.participantId,
        requestedBySelf: true,
        requestedByPeer: false,
        isActive: true,
      });
      await expectError(
        service.screenShare(host.roomCode, guest.self.participantId, true),
        'Peer is already screen sharing',
        400,
      );
      expect((await service.screenShare(host.roomCode, host.self.participantId, false)).screenShare.isActive).toBe(
        false,
      );

      const chat = await service.chat(host.roomCode, guest.self.participantId, true);
      expect(chat.chat).toEqual({ requestedBySelf: true, requestedByPeer: false, isActive: true });
      expect((await service.get(host.roomCode, host.self.participantId)).chat).toEqual({
        requestedBySelf: false,
        requestedByPeer: true,
        isActive: true,
      });
      await expectError(
        service.get(host.roomCode, 'stranger'),
        'Room not found or participant is not part of it.',
        404,
      );
      await expectError(
        service.ready(host.roomCode, 'stranger', 1, 1),
        'Room not found or participant is not part of it.',
        404,
      );
    });

    it('slides the expiry on every call and forgets expired rooms', async () => {
      const host = await service.create('Carol');
      expect(host.expiresAt).toBe(new Date(now.getTime() + TTL_MS).toISOString());
      now = new Date(now.getTime() + 20 * 60_000);
      const touched = await service.get(host.roomCode, host.self.participantId);
      expect(touched.expiresAt).toBe(new Date(now.getTime() + TTL_MS).toISOString());
      now = new Date(now.getTime() + TTL_MS + 1_000);
      await expectError(
        service.get(host.roomCode, host.self.participantId),
        'Room not found or participant is not part of it.',
        404,
      );
      await expectError(service.join(host.roomCode, 'Dan'), 'Room not found or expired', 400);
      await expectError(service.join('ZZZZZZ', 'Dan'), 'Room not found or expired', 400);
    });

    it('removes a guest, hands the room to the guest when the host leaves, deletes it when the host was alone', async () => {
      const host = await service.create('Hana');
      const guest = await service.join(host.roomCode, 'Gus');
      await service.ready(host.roomCode, guest.self.participantId, 4, 400);
      expect(await service.leave(host.roomCode, host.self.participantId)).toBe(guest.self.participantId);
      const promoted = await service.get(host.roomCode, guest.self.participantId);
      expect(promoted).toMatchObject({
        status: 'waiting',
        peer: null,
        self: { role: 'host', name: 'Gus', fileCount: 4, totalBytes: 400 },
      });
      await expectError(
        service.get(host.roomCode, host.self.participantId),
        'Room not found or participant is not part of it.',
        404,
      );

      const second = await service.join(host.roomCode, 'Ivy');
      expect(await service.leave(host.roomCode, second.self.participantId)).toBe(guest.self.participantId);
      expect((await service.get(host.roomCode, guest.self.participantId)).peer).toBeNull();

      expect(await service.leave(host.roomCode, guest.self.participantId)).toBeNull();
      await expectError(service.join(host.roomCode, 'Late'), 'Room not found or expired', 400);
    });

    it('gives the guest slot to exactly one of many concurrent joiners', async () => {
      const host = await service.create('Host');
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => service.join(host.roomCode, `G${i}`)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.map((r) => (r.reason as Error).message)).toEqual(
        Array(9).fill('Room already has two participants'),
      );
    });
  });
}

describeTransferRooms('SQLite', () => openSqlite('rooms'));
describeTransferRooms('PostgreSQL', () => openPostgres('rooms'));
