import type { TransferRoomRecord, TransferRoomStore } from '@rendezvous/rooms';
import type { Prisma } from '../../../generated/prisma-sqlite/client.js';
import type { DatabaseClient } from './database.client.js';

type Row = Omit<TransferRoomRecord, 'hostTotalBytes' | 'guestTotalBytes'> & {
  hostTotalBytes: bigint;
  guestTotalBytes: bigint;
};

function toRecord(row: Row): TransferRoomRecord {
  return {
    code: row.code,
    hostParticipantId: row.hostParticipantId,
    hostName: row.hostName,
    guestParticipantId: row.guestParticipantId,
    guestName: row.guestName,
    hostReady: row.hostReady,
    guestReady: row.guestReady,
    hostFileCount: row.hostFileCount,
    guestFileCount: row.guestFileCount,
    hostTotalBytes: Number(row.hostTotalBytes),
    guestTotalBytes: Number(row.guestTotalBytes),
    hostScreenShareActive: row.hostScreenShareActive,
    guestScreenShareActive: row.guestScreenShareActive,
    hostChatActive: row.hostChatActive,
    guestChatActive: row.guestChatActive,
    expiresAt: row.expiresAt,
  };
}

/** Transfer rooms in the database; every change is a single conditional UPDATE, safe across replicas. */
export class PrismaTransferRoomStore implements TransferRoomStore {
  constructor(private readonly db: DatabaseClient) {}

  async insert(room: TransferRoomRecord): Promise<'created' | 'code-taken'> {
    try {
      await this.db.transferRoom.create({
        data: { ...room, hostTotalBytes: BigInt(room.hostTotalBytes), guestTotalBytes: BigInt(room.guestTotalBytes) },
      });
      return 'created';
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return 'code-taken';
      throw error;
    }
  }

  async deleteExpired(now: Date, limit: number): Promise<{ found: number; deletedCodes: string[] }> {
    const expired = await this.db.transferRoom.findMany({
      where: { expiresAt: { lte: now } },
      select: { code: true },
      orderBy: { expiresAt: 'asc' },
      take: limit,
    });
    if (expired.length === 0) return { found: 0, deletedCodes: [] };
    const candidates = expired.map((room) => room.code);
    // Still expired at deletion: a room touched since the read keeps its new expiry.
    await this.db.transferRoom.deleteMany({ where: { code: { in: candidates }, expiresAt: { lte: now } } });
    const kept = new Set(
      (await this.db.transferRoom.findMany({ where: { code: { in: candidates } }, select: { code: true } })).map(
        (room) => room.code,
      ),
    );
    return { found: expired.length, deletedCodes: candidates.filter((code) => !kept.has(code)) };
  }

  async touch(code: string, participantId: string, expiresAt: Date, now: Date): Promise<TransferRoomRecord | null> {
    const { count } = await this.db.transferRoom.updateMany({
      where: {
        code,
        expiresAt: { gt: now },
        OR: [{ hostParticipantId: participantId }, { guestParticipantId: participantId }],
      },
      data: { expiresAt },
    });
    return count ? this.find(code) : null;
  }

  async addGuest(
    code: string,
    guestId: string,
    guestName: string,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | 'not-found' | 'full'> {
    const { count } = await this.db.transferRoom.updateMany({
      where: { code, expiresAt: { gt: now }, guestParticipantId: null },
      data: { guestParticipantId: guestId, guestName, expiresAt },
    });
    const room = await this.find(code);
    if (count && room) return room;
    return room && room.expiresAt > now ? 'full' : 'not-found';
  }

  async setReady(
    code: string,
    participantId: string,
    fileCount: number,
    totalBytes: number,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | null> {
    const updated = await this.updateOwnSide(code, participantId, now, {
      host: { hostReady: true, hostFileCount: fileCount, hostTotalBytes: BigInt(totalBytes), expiresAt },
      guest: { guestReady: true, guestFileCount: fileCount, guestTotalBytes: BigInt(totalBytes), expiresAt },
    });
    return updated ? this.find(code) : null;
  }

  async setScreenShare(
    code: string,
    participantId: string,
    active: boolean,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | null | 'peer-sharing'> {
    const updated = await this.updateOwnSide(code, participantId, now, {
      host: { hostScreenShareActive: active, expiresAt },
      guest: { guestScreenShareActive: active, expiresAt },
      // Starting a share is only allowed while the peer is not sharing.
      hostWhere: active ? { guestScreenShareActive: false } : {},
      guestWhere: active ? { hostScreenShareActive: false } : {},
    });
    const room = await this.find(code);
    if (updated) return room;
    if (!room || room.expiresAt <= now) return null;
    const isMember = room.hostParticipantId === participantId || room.guestParticipantId === participantId;
    return isMember && active ? 'peer-sharing' : null;
  }

  async setChat(
    code: string,
    participantId: string,
    active: boolean,
    expiresAt: Date,
    now: Date,
  ): Promise<TransferRoomRecord | null> {
    const updated = await this.updateOwnSide(code, participantId, now, {
      host: { hostChatActive: active, expiresAt },
      guest: { guestChatActive: active, expiresAt },
    });
    return updated ? this.find(code) : null;
  }

  async removeParticipant(code: string, participantId: string, expiresAt: Date, now: Date): Promise<string | null> {
    const room = await this.find(code);
    if (!room || room.expiresAt <= now) return null;
    const clearedGuest = {
      guestParticipantId: null,
      guestName: null,
      guestReady: false,
      guestFileCount: 0,
      guestTotalBytes: BigInt(0),
      guestScreenShareActive: false,
      guestChatActive: false,
      hostScreenShareActive: false,
      hostChatActive: false,
      expiresAt,
    };
    if (room.guestParticipantId === participantId) {
      await this.db.transferRoom.updateMany({ where: { code, guestParticipantId: participantId }, data: clearedGuest });
      return room.hostParticipantId;
    }
    if (room.hostParticipantId !== participantId) return null;
    if (!room.guestParticipantId) {
      await this.db.transferRoom.deleteMany({
        where: { code, hostParticipantId: participantId, guestParticipantId: null },
      });
      return null;
    }
    // The guest becomes the host; the condition on both ids keeps a concurrent change from being overwritten.
    await this.db.transferRoom.updateMany({
      where: { code, hostParticipantId: participantId, guestParticipantId: room.guestParticipantId },
      data: {
        ...clearedGuest,
        hostParticipantId: room.guestParticipantId,
        hostName: room.guestName ?? room.hostName,
        hostReady: room.guestReady,
        hostFileCount: room.guestFileCount,
        hostTotalBytes: BigInt(room.guestTotalBytes),
      },
    });
    return room.guestParticipantId;
  }

  /**
   * Writes the host's or the guest's columns, whichever side `participantId` is, in one conditional UPDATE
   * on a live room (plus `hostWhere` / `guestWhere`); true when a row changed.
   */
  private async updateOwnSide(
    code: string,
    participantId: string,
    now: Date,
    change: {
      host: Prisma.TransferRoomUpdateManyMutationInput;
      guest: Prisma.TransferRoomUpdateManyMutationInput;
      hostWhere?: Prisma.TransferRoomWhereInput;
      guestWhere?: Prisma.TransferRoomWhereInput;
    },
  ): Promise<boolean> {
    const live = { code, expiresAt: { gt: now } };
    const asHost = await this.db.transferRoom.updateMany({
      where: { ...live, hostParticipantId: participantId, ...change.hostWhere },
      data: change.host,
    });
    if (asHost.count) return true;
    const asGuest = await this.db.transferRoom.updateMany({
      where: { ...live, guestParticipantId: participantId, ...change.guestWhere },
      data: change.guest,
    });
    return asGuest.count > 0;
  }

  private async find(code: string): Promise<TransferRoomRecord | null> {
    const row = await this.db.transferRoom.findUnique({ where: { code } });
    return row ? toRecord(row) : null;
  }
}
