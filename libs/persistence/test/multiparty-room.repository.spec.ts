import type { MultipartyRoomRecord } from '@rendezvous/rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, openSqlite } from '../../../test/support/databases.js';
import type { DatabaseClient } from '../src/database.client.js';
import { PrismaMultipartyRoomStore } from '../src/multiparty-room.repository.js';

function room(id: string, overrides: Partial<MultipartyRoomRecord> = {}): MultipartyRoomRecord {
  const at = new Date('2026-11-22T10:00:00Z');
  return {
    id,
    name: `Room ${id}`,
    passwordHash: null,
    guestLimit: 0,
    isPublic: false,
    createdAt: at,
    lastActiveAt: at,
    ...overrides,
  };
}

function describeMultipartyRooms(
  name: string,
  open: () => Promise<{ client: DatabaseClient; close(): Promise<void> }>,
) {
  describe(`multiparty rooms on ${name}`, () => {
    let client: DatabaseClient;
    let close: () => Promise<void>;
    let store: PrismaMultipartyRoomStore;

    beforeAll(async () => {
      ({ client, close } = await open());
      store = new PrismaMultipartyRoomStore(client);
    });
    afterAll(async () => close?.());

    it('stores a room once and finds it with every field', async () => {
      const record = room('alpha', { passwordHash: 'scrypt$1$2$3$salt$hash', guestLimit: 5, isPublic: true });
      expect(await store.insert(record)).toBe('created');
      expect(await store.insert(room('alpha', { name: 'Impostor' }))).toBe('exists');
      expect(await store.find('alpha')).toEqual(record);
      expect(await store.find('missing')).toBeNull();
    });

    it('lets exactly one of many concurrent creators win', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.insert(room('contested', { name: `Creator ${i}` }))),
      );
      expect(results.filter((result) => result === 'created')).toHaveLength(1);
      expect(results.filter((result) => result === 'exists')).toHaveLength(7);
    });

    it('records activity and lists public rooms only, most recently active first', async () => {
      await store.insert(room('pub-old', { isPublic: true }));
      await store.insert(room('pub-new', { isPublic: true }));
      await store.insert(room('private', { isPublic: false }));
      await store.touch('pub-new', new Date('2026-11-22T11:00:00Z'));
      await store.touch('pub-old', new Date('2026-11-22T10:30:00Z'));
      await store.touch('nobody', new Date());
      expect((await store.find('pub-new'))?.lastActiveAt).toEqual(new Date('2026-11-22T11:00:00Z'));
      const listed = (await store.listPublic(100)).map((record) => record.id);
      expect(listed.indexOf('pub-new')).toBeLessThan(listed.indexOf('pub-old'));
      expect(listed).not.toContain('private');
      expect(await store.listPublic(1)).toHaveLength(1);
    });
  });
}

describeMultipartyRooms('SQLite', () => openSqlite('mrooms'));
describeMultipartyRooms('PostgreSQL', () => openPostgres('mrooms'));
