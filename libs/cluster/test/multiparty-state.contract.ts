import type { MultipartyState, RoomMember } from '@rendezvous/rooms';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

export interface MultipartySubject {
  state: MultipartyState;
  /** A second view of the same state, as another replica would have (the same object in memory). */
  other: MultipartyState;
  /** Loses all state, as a Redis restart without persistence does. */
  wipe(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
function member(username = 'Member'): RoomMember {
  counter++;
  return { id: `m${String(counter).padStart(9, '0')}`, username: `${username} ${counter}` };
}

const ids = (members: RoomMember[]) => members.map((m) => m.id).sort();

/** One behaviour for both multiparty implementations. */
export function describeMultipartyContract(name: string, create: () => Promise<MultipartySubject>): void {
  describe(`MultipartyState contract: ${name}`, () => {
    let subject: MultipartySubject;
    let state: MultipartyState;

    beforeEach(async () => {
      if (!subject) subject = await create();
      await subject.wipe();
      state = subject.state;
    });
    afterAll(async () => subject?.close());

    it("keeps a member's alias (seed 004's userId) for the room: resolved, listed, taken over, and gone with it", async () => {
      const [a, b, c] = [member(), member(), member()];
      await state.joinRoom('aliases', a, 10, 'user-1');
      await state.joinRoom('aliases', b, 10);
      expect(await state.resolveAlias('aliases', 'user-1')).toBe(a.id);
      expect(await state.resolveAlias('elsewhere', 'user-1')).toBeNull();
      expect(await state.aliasesOf([a.id, b.id])).toEqual(new Map([[a.id, 'user-1']]));
      expect((await state.overview(10))[0]?.members).toContainEqual({
        ...a,
        joinedAt: expect.any(Number),
        alias: 'user-1',
      });
      // A reconnecting client takes its alias over; the older member leaving does not take it away.
      await state.joinRoom('aliases', c, 10, 'user-1');
      expect(await state.resolveAlias('aliases', 'user-1')).toBe(c.id);
      await state.leaveRoom(a.id);
      expect(await state.resolveAlias('aliases', 'user-1')).toBe(c.id);
      await state.leaveRoom(c.id);
      expect(await state.resolveAlias('aliases', 'user-1')).toBeNull();
    });

    it('gives an overview of the rooms with members, with when each member joined', async () => {
      const [a, b, c] = [member(), member(), member()];
      const before = Date.now() - 1_000;
      await state.joinRoom('overview-b', a, 10);
      await state.joinRoom('overview-a', b, 10);
      await state.joinRoom('overview-a', c, 10);
      await state.leaveRoom(c.id);
      const rooms = await state.overview(10);
      expect(rooms.map((room) => room.roomId)).toEqual(['overview-a', 'overview-b']);
      expect(rooms[0]?.members).toEqual([{ ...b, joinedAt: expect.any(Number), alias: null }]);
      expect(rooms[1]?.members[0]?.joinedAt).toBeGreaterThanOrEqual(before);
      expect(await state.overview(1)).toHaveLength(1);
      await state.leaveRoom(b.id);
      expect((await state.overview(10)).map((room) => room.roomId)).toEqual(['overview-b']);
    });

    it('joins, lists, renames and leaves members with growing versions', async () => {
      const [a, b] = [member(), member()];
      const first = await state.joinRoom('lobby', a, 10);
      expect(first).toMatchObject({ status: 'joined', calls: [], previous: null });
      if (first.status !== 'joined') return;
      expect(first.roster.members).toEqual([a]);
      const second = await state.joinRoom('lobby', b, 10);
      if (second.status !== 'joined') throw new Error('join failed');
      expect(ids(second.roster.members)).toEqual(ids([a, b]));
      expect(second.roster.version).toBeGreaterThan(first.roster.version);

      const renamed = await state.renameMember(a.id, 'Ground Control');
      expect(renamed?.members).toContainEqual({ id: a.id, username: 'Ground Control' });
      expect(renamed!.version).toBeGreaterThan(second.roster.version);
      expect(await state.roster('lobby')).toEqual(renamed);
      expect(await state.isMember('lobby', b.id)).toBe(true);
      expect(await state.membership(b.id)).toEqual({ roomId: 'lobby', callId: null });
      expect(await state.memberCounts(['lobby', 'nowhere'])).toEqual(
        new Map([
          ['lobby', 2],
          ['nowhere', 0],
        ]),
      );
      expect(await state.counts()).toEqual({ rooms: 1, calls: 0 });

      const left = await state.leaveRoom(b.id);
      expect(left?.roster.members).toEqual([{ id: a.id, username: 'Ground Control' }]);
      expect(left?.call).toBeNull();
      expect(await state.isMember('lobby', b.id)).toBe(false);
      expect(await state.membership(b.id)).toBeNull();
      expect(await state.leaveRoom(b.id)).toBeNull();
      expect(await state.renameMember(b.id, 'x')).toBeNull();
      await state.leaveRoom(a.id);
      expect(await state.counts()).toEqual({ rooms: 0, calls: 0 });
      expect((await state.roster('lobby')).members).toEqual([]);
    });

    it('refuses a member over the cap, but lets one already inside re-join', async () => {
      const [a, b, c] = [member(), member(), member()];
      await state.joinRoom('small', a, 2);
      await state.joinRoom('small', b, 2);
      expect(await state.joinRoom('small', c, 2)).toEqual({ status: 'full' });
      const again = await state.joinRoom('small', { id: b.id, username: 'Renamed' }, 2);
      expect(again.status).toBe('joined');
      if (again.status === 'joined') expect(again.roster.members).toContainEqual({ id: b.id, username: 'Renamed' });
      expect((await state.memberCounts(['small'])).get('small')).toBe(2);
    });

    it('gives the last slot to exactly one of many concurrent joiners, from two views of the state', async () => {
      const joiners = Array.from({ length: 20 }, () => member());
      const results = await Promise.all(
        joiners.map((m, index) => (index % 2 ? subject.other : state).joinRoom('race', m, 5)),
      );
      expect(results.filter((r) => r.status === 'joined')).toHaveLength(5);
      expect((await state.roster('race')).members).toHaveLength(5);
    });

    it('moves a member between rooms, leaving the first', async () => {
      const [a, b] = [member(), member()];
      await state.joinRoom('one', a, 10);
      await state.joinRoom('one', b, 10);
      const moved = await state.joinRoom('two', a, 10);
      if (moved.status !== 'joined') throw new Error('join failed');
      expect(moved.previous?.roster).toMatchObject({ roomId: 'one', members: [b] });
      expect(moved.roster.members).toEqual([a]);
      expect(await state.membership(a.id)).toEqual({ roomId: 'two', callId: null });
    });

    it('runs calls: start, join, switch, leave, end on the last leave', async () => {
      const [a, b, c] = [member(), member(), member()];
      for (const m of [a, b, c]) await state.joinRoom('call-room', m, 10);
      const started = await state.startCall('call-1', a.id, 1_000);
      expect(started).toMatchObject({
        status: 'started',
        previous: null,
        call: { callId: 'call-1', roomId: 'call-room', startedBy: a.id, startedAt: 1_000, participants: [a.id] },
      });
      const joined = await state.joinCall('call-1', b.id);
      expect(joined).toMatchObject({ status: 'joined', call: { participants: [a.id, b.id] }, previous: null });
      if (joined.status !== 'joined' || started.status !== 'started') return;
      expect(joined.call.version).toBeGreaterThan(started.call.version);
      expect((await state.joinCall('call-1', b.id)).status).toBe('joined');
      expect(await state.membership(b.id)).toEqual({ roomId: 'call-room', callId: 'call-1' });
      expect(await state.counts()).toEqual({ rooms: 1, calls: 1 });

      const entering = await state.joinRoom('call-room', c, 10);
      expect(entering.status === 'joined' && entering.calls.map((call) => call.callId)).toEqual(['call-1']);

      const second = await state.startCall('call-2', b.id, 2_000);
      expect(second).toMatchObject({ status: 'started', previous: { callId: 'call-1', participants: [a.id] } });

      const aLeft = await state.leaveCall(a.id);
      expect(aLeft).toMatchObject({ callId: 'call-1', participants: [] });
      expect(await state.getCall('call-1')).toBeNull();
      expect(await state.leaveCall(a.id)).toBeNull();
      expect(await state.getCall('call-2')).toMatchObject({ participants: [b.id] });

      const departure = await state.leaveRoom(b.id);
      expect(departure?.call).toMatchObject({ callId: 'call-2', participants: [] });
      expect(await state.counts()).toEqual({ rooms: 1, calls: 0 });
    });

    it('refuses calls outside the caller\u2019s room', async () => {
      const [a, b, outsider] = [member(), member(), member()];
      await state.joinRoom('room-a', a, 10);
      await state.joinRoom('room-b', b, 10);
      expect(await state.startCall('call-x', outsider.id, 0)).toEqual({ status: 'not-in-room' });
      await state.startCall('call-a', a.id, 0);
      expect(await state.joinCall('call-a', b.id)).toEqual({ status: 'not-in-room' });
      expect(await state.joinCall('call-a', outsider.id)).toEqual({ status: 'not-in-room' });
      expect(await state.joinCall('no-such-call', a.id)).toEqual({ status: 'not-found' });
    });

    it('restores members and calls after the state is lost, with versions past the lost ones', async () => {
      const [a, b] = [member(), member()];
      await state.joinRoom('restored', a, 10);
      const joined = await state.joinRoom('restored', b, 10);
      const call = await state.startCall('call-r', a.id, 5_000);
      await state.joinCall('call-r', b.id);
      if (joined.status !== 'joined' || call.status !== 'started') throw new Error('setup failed');
      await subject.wipe();
      state = subject.state;
      // A restart takes longer than this; versions come from the clock after it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await state.roster('restored')).members).toEqual([]);

      const first = await state.restoreMember('restored', a, { callId: 'call-r', startedBy: a.id, startedAt: 5_000 });
      const second = await state.restoreMember('restored', b, { callId: 'call-r', startedBy: a.id, startedAt: 5_000 });
      expect(first.roster.version).toBeGreaterThan(joined.roster.version);
      expect(ids(second.roster.members)).toEqual(ids([a, b]));
      expect(second.call).toMatchObject({ callId: 'call-r', startedAt: 5_000, participants: [a.id, b.id] });
      expect(second.call!.version).toBeGreaterThan(call.call.version);
      expect(await state.membership(b.id)).toEqual({ roomId: 'restored', callId: 'call-r' });
    });
  });
}
