import type { MultipartyRoomRecord, MultipartyRoomStore } from '@rendezvous/rooms';
import type { DatabaseClient } from './database.client.js';

/** Multiparty rooms in the database (the same queries on SQLite and PostgreSQL). */
export class PrismaMultipartyRoomStore implements MultipartyRoomStore {
  constructor(private readonly db: DatabaseClient) {}

  find(id: string): Promise<MultipartyRoomRecord | null> {
    return this.db.multipartyRoom.findUnique({ where: { id } });
  }

  async insert(room: MultipartyRoomRecord): Promise<'created' | 'exists'> {
    try {
      await this.db.multipartyRoom.create({ data: room });
      return 'created';
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return 'exists';
      throw error;
    }
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.multipartyRoom.updateMany({ where: { id }, data: { lastActiveAt: at } });
  }

  async listInactive(before: Date, limit: number): Promise<string[]> {
    const rooms = await this.db.multipartyRoom.findMany({
      where: { lastActiveAt: { lt: before } },
      select: { id: true },
      orderBy: { lastActiveAt: 'asc' },
      take: limit,
    });
    return rooms.map((room) => room.id);
  }

  async deleteInactive(ids: string[], before: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const { count } = await this.db.multipartyRoom.deleteMany({
      where: { id: { in: ids }, lastActiveAt: { lt: before } },
    });
    return count;
  }

  listPublic(limit: number): Promise<MultipartyRoomRecord[]> {
    return this.db.multipartyRoom.findMany({
      where: { isPublic: true },
      orderBy: [{ lastActiveAt: 'desc' }, { id: 'asc' }],
      take: limit,
    });
  }
}
