import type { LiveState, SessionRecord } from '@rendezvous/signaling';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

export interface ContractSubject {
  live: LiveState;
  /** Loses all state, as a Redis restart without persistence does. */
  wipe(): Promise<void>;
  close(): Promise<void>;
}

const TTL = 60_000;
let counter = 0;

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  counter++;
  return {
    id: `s${String(counter).padStart(9, '0')}`,
    name: `User ${counter}`,
    replicaId: 'replica-a',
    address: '192.168.1.10',
    group: 'v4:192.168.1',
    ...overrides,
  };
}

/** One behaviour for both live-state implementations: the in-memory and the Redis store run this same suite. */
export function describeLiveStateContract(name: string, create: () => Promise<ContractSubject>): void {
  describe(`live state contract: ${name}`, () => {
    let subject: ContractSubject;
    let live: LiveState;

    beforeEach(async () => {
      if (!subject) subject = await create();
      await subject.wipe();
      live = subject.live;
    });
    afterAll(async () => subject?.close());

    it('registers, renames and removes sessions, and lists them by network', async () => {
      const a = session();
      const b = session({ group: 'v4:10.0.0' });
      await live.sessions.registerSession(a, 'digest');
      await live.sessions.registerSession(b, 'digest');
      expect(await live.sessions.getSession(a.id)).toEqual(a);
      expect(await live.presence.listNetwork(a.group)).toEqual([{ id: a.id, name: a.name, busy: false }]);

      const renamed = await live.sessions.renameSession(a.id, 'Renamed');
      expect(renamed).toEqual({ ...a, name: 'Renamed' });
      expect(await live.presence.listNetwork(a.group)).toEqual([{ id: a.id, name: 'Renamed', busy: false }]);
      expect(await live.sessions.renameSession('nobody0000', 'x')).toBeNull();

      const removed = await live.sessions.removeSession(a.id, TTL, Date.now());
      expect(removed).toEqual({ session: { ...a, name: 'Renamed' }, flight: null });
      expect(await live.sessions.getSession(a.id)).toBeNull();
      expect(await live.presence.listNetwork(a.group)).toEqual([]);
      expect(await live.sessions.removeSession(a.id, TTL, Date.now())).toBeNull();
    });

    it('creates a flight once per session and per code', async () => {
      const a = session();
      const b = session();
      await live.sessions.registerSession(a, 'digest');
      await live.sessions.registerSession(b, 'digest');
      const now = Date.now();
      expect(await live.flights.createFlight('ABCDEF', 'token1', a.id, TTL, now)).toEqual({ status: 'created' });
      expect(await live.flights.createFlight('GHJKLM', 'token2', a.id, TTL, now)).toEqual({
        status: 'already-in-flight',
      });
      expect(await live.flights.createFlight('ABCDEF', 'token3', b.id, TTL, now)).toEqual({ status: 'code-taken' });
      expect(await live.flights.createFlight('NPQRST', 'token4', 'unknown000', TTL, now)).toEqual({
        status: 'no-session',
      });
      expect(await live.flights.getFlight('ABCDEF', now)).toEqual({ code: 'ABCDEF', token: 'token1', members: [a.id] });
    });

    it('joins two members at most and marks them busy in presence', async () => {
      const host = session();
      const guest = session({ address: '203.0.113.5', group: 'ip:203.0.113.5' });
      const late = session();
      for (const s of [host, guest, late]) await live.sessions.registerSession(s, 'digest');
      await live.flights.createFlight('ABCDEF', 'token1', host.id, TTL, Date.now());

      expect(await live.flights.joinFlight('ZZZZZZ', guest.id)).toEqual({ status: 'not-found' });
      expect(await live.flights.joinFlight('ABCDEF', host.id)).toEqual({ status: 'already-in-flight' });
      expect(await live.flights.joinFlight('ABCDEF', guest.id)).toEqual({
        status: 'joined',
        token: 'token1',
        others: [{ id: host.id, name: host.name, address: host.address, group: host.group }],
      });
      expect(await live.flights.joinFlight('ABCDEF', late.id)).toEqual({ status: 'full' });
      expect(await live.flights.joinFlight('ABCDEF', guest.id)).toEqual({ status: 'already-in-flight' });

      const network = await live.presence.listNetwork(host.group);
      expect(network).toEqual(
        expect.arrayContaining([
          { id: host.id, name: host.name, busy: true },
          { id: late.id, name: late.name, busy: false },
        ]),
      );
      expect(await live.presence.listNetwork(guest.group)).toEqual([{ id: guest.id, name: guest.name, busy: true }]);
    });

    it('keeps a flight with one member after a leave and deletes it when empty', async () => {
      const host = session();
      const guest = session();
      const third = session();
      for (const s of [host, guest, third]) await live.sessions.registerSession(s, 'digest');
      await live.flights.createFlight('ABCDEF', 'token1', host.id, TTL, Date.now());
      await live.flights.joinFlight('ABCDEF', guest.id);

      const left = await live.flights.leaveFlight(host.id, TTL, Date.now());
      expect(left).toEqual({
        code: 'ABCDEF',
        token: 'token1',
        remaining: [{ id: guest.id, name: guest.name, address: guest.address, group: guest.group }],
      });
      expect(await live.flights.leaveFlight(host.id, TTL, Date.now())).toBeNull();
      expect((await live.presence.listNetwork(host.group)).every((entry) => !entry.busy)).toBe(true);

      expect((await live.flights.joinFlight('ABCDEF', third.id)).status).toBe('joined');
      const removed = await live.sessions.removeSession(third.id, TTL, Date.now());
      expect(removed?.flight?.remaining.map((m) => m.id)).toEqual([guest.id]);
      expect(await live.flights.leaveFlight(guest.id, TTL, Date.now())).toEqual({
        code: 'ABCDEF',
        token: 'token1',
        remaining: [],
      });
      expect(await live.flights.getFlight('ABCDEF', Date.now())).toBeNull();
      expect(await live.flights.createFlight('ABCDEF', 'token9', host.id, TTL, Date.now())).toEqual({
        status: 'created',
      });
    });

    it('expires a flight nobody joined, but not a full one', async () => {
      const a = session();
      const b = session();
      const c = session();
      for (const s of [a, b, c]) await live.sessions.registerSession(s, 'digest');
      await live.flights.createFlight('ABCDEF', 'token1', a.id, 150, Date.now());
      await live.flights.createFlight('GHJKLM', 'token2', b.id, 150, Date.now());
      await live.flights.joinFlight('GHJKLM', c.id);
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(await live.flights.getFlight('ABCDEF', Date.now())).toBeNull();
      expect(await live.flights.joinFlight('ABCDEF', c.id)).toEqual({ status: 'already-in-flight' });
      expect(await live.flights.createFlight('NPQRST', 'token3', a.id, TTL, Date.now())).toEqual({ status: 'created' });
      expect((await live.flights.getFlight('GHJKLM', Date.now()))?.members).toEqual([b.id, c.id]);
      expect((await live.replicas.counts(Date.now())).flights).toBe(2);
    });

    it('lets exactly one of many concurrent guests join', async () => {
      const host = session();
      await live.sessions.registerSession(host, 'digest');
      await live.flights.createFlight('RACERS', 'token1', host.id, TTL, Date.now());
      const guests = Array.from({ length: 20 }, () => session());
      for (const guest of guests) await live.sessions.registerSession(guest, 'digest');
      const results = await Promise.all(guests.map((guest) => live.flights.joinFlight('RACERS', guest.id)));
      expect(results.filter((result) => result.status === 'joined')).toHaveLength(1);
      expect(results.filter((result) => result.status === 'full')).toHaveLength(19);
    });

    it('tracks replicas by heartbeat and lets one survivor claim a dead replica', async () => {
      const now = Date.now();
      expect(await live.replicas.heartbeat('replica-a', now - 60_000)).toBe(false);
      expect(await live.replicas.heartbeat('replica-b', now)).toBe(false);
      expect(await live.replicas.heartbeat('replica-b', now)).toBe(true);
      const a1 = session({ replicaId: 'replica-a' });
      const b1 = session({ replicaId: 'replica-b' });
      await live.sessions.registerSession(a1, 'digest');
      await live.sessions.registerSession(b1, 'digest');

      expect(await live.replicas.deadReplicas(now, 10_000)).toEqual(['replica-a']);
      expect(await live.sessions.sessionsOf('replica-a')).toEqual([a1.id]);
      expect(await live.replicas.claimDeadReplica('replica-a', 5_000, 'replica-b')).toEqual([a1.id]);
      expect(await live.replicas.claimDeadReplica('replica-a', 5_000, 'replica-c')).toBeNull();
      // Only the holder extends its lease.
      expect(await live.replicas.renewReapLock('replica-a', 5_000, 'replica-c')).toBe(false);
      expect(await live.replicas.renewReapLock('replica-a', 5_000, 'replica-b')).toBe(true);
      await live.sessions.removeSession(a1.id, TTL, now);
      await live.replicas.forgetReplica('replica-a');
      expect(await live.replicas.deadReplicas(now, 10_000)).toEqual([]);

      const counts = await live.replicas.counts(now);
      expect(counts.sessions).toBe(1);
      expect(counts.replicas).toEqual([{ id: 'replica-b', sessions: 1, lastHeartbeat: now }]);
    });

    it('lets a reaping lock lapse when its holder stops renewing it, and not be renewed after', async () => {
      expect(await live.replicas.claimDeadReplica('replica-z', 100, 'replica-b')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await live.replicas.renewReapLock('replica-z', 5_000, 'replica-b')).toBe(false);
      expect(await live.replicas.claimDeadReplica('replica-z', 5_000, 'replica-c')).toEqual([]);
    });

    it('pairs the host and guest slots of a room channel, replacing a re-attached participant', async () => {
      const host = session();
      const guest = session();
      const hostAgain = session();
      for (const s of [host, guest, hostAgain]) await live.sessions.registerSession(s, 'digest');
      expect(await live.roomChannels.attachRoomChannel('ABCDEF:transfer', 'host', host.id, TTL, 'h1')).toEqual({
        displaced: null,
        other: null,
      });
      expect(await live.roomChannels.attachRoomChannel('ABCDEF:transfer', 'guest', guest.id, TTL, 'g1')).toEqual({
        displaced: null,
        other: { id: host.id, name: host.name, address: host.address, group: host.group },
      });
      // Taking a held slot names the session it was taken from.
      const takeover = await live.roomChannels.attachRoomChannel('ABCDEF:transfer', 'host', hostAgain.id, TTL, 'h2');
      expect({ displaced: takeover.displaced, other: takeover.other?.id }).toEqual({
        displaced: host.id,
        other: guest.id,
      });
      expect(
        (await live.roomChannels.attachRoomChannel('ABCDEF:transfer', 'host', hostAgain.id, TTL, 'h2')).displaced,
      ).toBeNull();
      // The displaced session's detach changes nothing and says so.
      expect(await live.roomChannels.detachRoomChannel('ABCDEF:transfer', 'host', host.id)).toEqual({
        displaced: true,
        other: null,
      });
      const detached = await live.roomChannels.detachRoomChannel('ABCDEF:transfer', 'host', hostAgain.id);
      expect({ displaced: detached.displaced, other: detached.other?.id }).toEqual({
        displaced: false,
        other: guest.id,
      });
      expect(await live.roomChannels.detachRoomChannel('ABCDEF:transfer', 'host', hostAgain.id)).toEqual({
        displaced: false,
        other: null,
      });
      expect((await live.roomChannels.attachRoomChannel('ABCDEF:chat', 'host', host.id, TTL, 'h3')).other).toBeNull();
      expect(await live.roomChannels.attachmentOf(host.id)).toBe('h3');
      expect(await live.roomChannels.attachmentOf(guest.id)).toBe('g1');
      await live.sessions.removeSession(guest.id, TTL, Date.now());
      expect(await live.roomChannels.attachmentOf(guest.id)).toBeNull();
      expect(await live.roomChannels.attachRoomChannel('ABCDEF:transfer', 'host', host.id, TTL, 'h4')).toEqual({
        displaced: null,
        other: null,
      });
    });

    it('hides a session from its network presence, also after it is renamed or its flight fills', async () => {
      const visible = session();
      const hidden = session();
      await live.sessions.registerSession(visible, 'digest');
      await live.sessions.registerSession(hidden, 'digest');
      await live.presence.hideFromPresence(hidden.id);
      expect((await live.presence.listNetwork(visible.group)).map((entry) => entry.id)).toEqual([visible.id]);
      await live.sessions.renameSession(hidden.id, 'Renamed');
      await live.flights.createFlight('HIDDEN', 'room-h', visible.id, TTL, Date.now());
      await live.flights.joinFlight('HIDDEN', hidden.id);
      await live.flights.leaveFlight(hidden.id, TTL, Date.now());
      expect((await live.presence.listNetwork(visible.group)).map((entry) => entry.id)).toEqual([visible.id]);
    });

    it('restores sessions and their shared flight after the state was lost', async () => {
      const host = session();
      const guest = session();
      await live.sessions.registerSession(host, 'digest');
      await live.sessions.registerSession(guest, 'digest');
      await live.flights.createFlight('ABCDEF', 'token1', host.id, TTL, Date.now());
      await live.flights.joinFlight('ABCDEF', guest.id);

      await subject.wipe();
      live = subject.live;
      expect(await live.sessions.getSession(host.id)).toBeNull();
      const flight = { code: 'ABCDEF', token: 'token1' };
      await live.sessions.restoreSession(host, 'digest', flight, TTL, Date.now());
      await live.sessions.restoreSession(guest, 'digest', flight, TTL, Date.now());
      await live.sessions.restoreSession(guest, 'digest', flight, TTL, Date.now());

      expect(await live.sessions.getSession(guest.id)).toEqual(guest);
      expect(await live.flights.getFlight('ABCDEF', Date.now())).toEqual({
        code: 'ABCDEF',
        token: 'token1',
        members: [host.id, guest.id],
      });
      expect((await live.presence.listNetwork(host.group)).every((entry) => entry.busy)).toBe(true);
      const stranger = session();
      await live.sessions.restoreSession(stranger, 'digest', { code: 'ABCDEF', token: 'other' }, TTL, Date.now());
      expect((await live.flights.getFlight('ABCDEF', Date.now()))?.members).toEqual([host.id, guest.id]);
      expect(await live.flights.createFlight('GHJKLM', 'token2', stranger.id, TTL, Date.now())).toEqual({
        status: 'created',
      });
    });

    it('parks a drained session for its client to resume once, elsewhere, within the grace', async () => {
      const host = session({ replicaId: 'draining' });
      const guest = session({ replicaId: 'staying' });
      await live.sessions.registerSession(host, 'digest');
      await live.sessions.registerSession(guest, 'digest');
      const now = Date.now();
      await live.flights.createFlight('ABCDEF', 'token1', host.id, TTL, now);
      await live.flights.joinFlight('ABCDEF', guest.id);

      expect(await live.parking.parkSession('unknown000', 'draining', 'digest', now + 5_000)).toBe(false);
      expect(await live.parking.parkSession(host.id, 'elsewhere', 'digest-1', now + 5_000)).toBe(false);
      expect(await live.parking.parkSession(host.id, 'draining', 'digest-1', now + 5_000)).toBe(true);
      expect(await live.parking.parkSession(host.id, 'draining', 'digest-1', now + 9_000)).toBe(false);
      // No longer the draining replica's: reaping it would not end the flight.
      expect(await live.sessions.sessionsOf('draining')).toEqual([]);
      expect((await live.flights.getFlight('ABCDEF', now))?.members).toEqual([host.id, guest.id]);
      expect(await live.parking.expiredParkedSessions(now)).toEqual([]);

      expect(await live.parking.resumeSession(host.id, 'digest-2', 'next', 'other', now)).toBeNull();
      expect(await live.parking.resumeSession(host.id, 'digest-1', 'next', 'other', now + 5_000)).toBeNull();
      const resumed = await live.parking.resumeSession(host.id, 'digest-1', 'digest-3', 'other', now + 1_000);
      expect(resumed).toEqual({
        session: { ...host, replicaId: 'other' },
        flight: {
          code: 'ABCDEF',
          token: 'token1',
          peer: { id: guest.id, name: guest.name, address: guest.address, group: guest.group },
        },
        takenFrom: null,
      });
      expect(await live.sessions.sessionsOf('other')).toEqual([host.id]);
      // Single-use: the old credential is refused, the rotated one works.
      expect(await live.parking.resumeSession(host.id, 'digest-1', 'next', 'third', now + 1_000)).toBeNull();
      expect(await live.parking.removeParkedSession(host.id, TTL, now)).toBeNull();
      expect(await live.sessions.getSession(host.id)).toEqual({ ...host, replicaId: 'other' });
    });

    it('removes a parked session whose grace ended, once, telling who stays in its flight', async () => {
      const host = session({ replicaId: 'draining' });
      const guest = session({ replicaId: 'staying' });
      const loner = session({ replicaId: 'draining' });
      for (const each of [host, guest, loner]) await live.sessions.registerSession(each, 'digest');
      const now = Date.now();
      await live.flights.createFlight('ABCDEF', 'token1', host.id, TTL, now);
      await live.flights.joinFlight('ABCDEF', guest.id);
      await live.parking.parkSession(host.id, 'draining', 'digest', now + 1_000);
      await live.parking.parkSession(loner.id, 'draining', null, now + 60_000);

      expect(await live.parking.expiredParkedSessions(now + 1_000)).toEqual([host.id]);
      expect(await live.parking.resumeSession(host.id, 'digest', 'next', 'other', now + 1_000)).toBeNull();
      const removed = await live.parking.removeParkedSession(host.id, TTL, now + 1_000);
      expect(removed?.flight?.remaining.map((member) => member.id)).toEqual([guest.id]);
      expect(await live.parking.removeParkedSession(host.id, TTL, now + 1_000)).toBeNull();
      expect(await live.sessions.getSession(host.id)).toBeNull();
      expect(await live.parking.expiredParkedSessions(now + 1_000)).toEqual([]);
      // A parked session that goes away some other way leaves no parked entry behind.
      await live.sessions.removeSession(loner.id, TTL, now);
      expect(await live.parking.expiredParkedSessions(now + 120_000)).toEqual([]);
    });

    it("parks a dead replica's session with the credential its client holds, and its client takes it up", async () => {
      const host = session({ replicaId: 'dead' });
      const guest = session({ replicaId: 'alive' });
      await live.sessions.registerSession(host, 'from-connect');
      await live.sessions.registerSession(guest, 'digest');
      const now = Date.now();
      await live.flights.createFlight('ABCDEF', 'token1', host.id, TTL, now);
      await live.flights.joinFlight('ABCDEF', guest.id);

      expect(await live.parking.parkSession(host.id, 'dead', null, now + 5_000)).toBe(true);
      const resumed = await live.parking.resumeSession(host.id, 'from-connect', 'rotated', 'survivor', now + 1_000);
      expect(resumed).toMatchObject({
        session: { replicaId: 'survivor' },
        flight: { code: 'ABCDEF' },
        takenFrom: null,
      });
      expect(await live.parking.resumeSession(host.id, 'rotated', 'again', 'third', now + 1_000)).toMatchObject({
        takenFrom: 'survivor',
      });
    });

    it('lets a client take its live session over from another replica at once, and only the owner end it', async () => {
      const moving = session({ replicaId: 'partitioned' });
      const peer = session({ replicaId: 'survivor' });
      await live.sessions.registerSession(moving, 'first');
      await live.sessions.registerSession(peer, 'digest');
      const now = Date.now();
      await live.flights.createFlight('ABCDEF', 'token1', moving.id, TTL, now);
      await live.flights.joinFlight('ABCDEF', peer.id);

      const taken = await live.parking.resumeSession(moving.id, 'first', 'second', 'survivor', now);
      expect(taken).toMatchObject({ takenFrom: 'partitioned', flight: { peer: { id: peer.id } } });
      expect(await live.sessions.sessionsOf('partitioned')).toEqual([]);
      // The partitioned replica comes back: its client's close ends nothing, and it cannot write the session back.
      expect(await live.sessions.removeSession(moving.id, TTL, now, 'partitioned')).toBeNull();
      expect(await live.sessions.restoreSession(moving, 'first', { code: 'ABCDEF', token: 'token1' }, TTL, now)).toBe(
        false,
      );
      expect(await live.parking.parkSession(moving.id, 'partitioned', null, now + 5_000)).toBe(false);
      // A session parked by a survivor that took its live replica for dead (Redis froze) is taken back.
      const kept = session({ replicaId: 'frozen' });
      await live.sessions.registerSession(kept, 'digest');
      await live.parking.parkSession(kept.id, 'frozen', null, now + 5_000);
      expect(await live.sessions.restoreSession(kept, 'digest', null, TTL, now)).toBe(true);
      expect(await live.parking.expiredParkedSessions(now + 10_000)).toEqual([]);
      expect(await live.sessions.sessionsOf('frozen')).toEqual([kept.id]);
      expect(await live.sessions.getSession(moving.id)).toMatchObject({ replicaId: 'survivor' });
      expect((await live.flights.getFlight('ABCDEF', now))?.members).toEqual([moving.id, peer.id]);
      // Its new owner restores it (after a Redis restart) and ends it.
      const owned = { ...moving, replicaId: 'survivor' };
      expect(await live.sessions.restoreSession(owned, 'second', null, TTL, now)).toBe(true);
      expect(await live.sessions.removeSession(moving.id, TTL, now, 'survivor')).not.toBeNull();
    });

    it('keeps messages for a session nobody delivers to, in order, bounded, taken once', async () => {
      const away = session();
      await live.sessions.registerSession(away, 'digest');
      const message = (n: number) => Buffer.from([0x80, n, 0xff]);
      expect(await live.outboxes.append('unknown000', message(0), 4, TTL, false)).toBe('gone');
      for (let n = 1; n <= 4; n++)
        expect(await live.outboxes.append(away.id, message(n), 4, TTL, false)).toBe('queued');
      expect(await live.outboxes.append(away.id, message(5), 4, TTL, false)).toBe('full');

      expect(await live.outboxes.take(away.id)).toEqual([1, 2, 3, 4].map(message));
      expect(await live.outboxes.take(away.id)).toEqual([]);
      // Held (a replica subscribed and took it): a sender publishes again instead, unless it insists.
      expect(await live.outboxes.append(away.id, message(6), 4, TTL, false)).toBe('held');
      expect(await live.outboxes.append(away.id, message(7), 4, TTL, true)).toBe('queued');
      // Parking the session makes queueing the rule again; its end drops its outbox.
      await live.parking.parkSession(away.id, away.replicaId, null, Date.now() + 5_000);
      expect(await live.outboxes.append(away.id, message(8), 4, TTL, false)).toBe('queued');
      await live.sessions.removeSession(away.id, TTL, Date.now());
      expect(await live.outboxes.take(away.id)).toEqual([]);
    });

    it('forgets an outbox its TTL after the last message', async () => {
      const away = session();
      await live.sessions.registerSession(away, 'digest');
      expect(await live.outboxes.append(away.id, Buffer.from('late'), 4, 50, false)).toBe('queued');
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await live.outboxes.take(away.id)).toEqual([]);
    });
  });
}
