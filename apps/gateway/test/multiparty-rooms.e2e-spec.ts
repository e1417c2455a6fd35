import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../../test/support/clients.js';
import { startGatewayApp } from '../../../test/support/gateway-app.js';
import { sleep } from '../../../test/support/ports.js';

type Client = Awaited<ReturnType<typeof TestClient.connect>>;
type RoomInfo = { room_id: string; clients: { id: string; username: string }[]; version: number };

const MAX_MEMBERS = 4;
let roomCounter = 0;
const freshRoom = (label: string) => `${label}-${++roomCounter}-${Date.now().toString(36)}`;

describe('multiparty rooms and calls over Socket.IO', () => {
  let app: INestApplication;
  let url: string;
  const clients: Client[] = [];

  const connect = async () => {
    const client = await TestClient.connect(url);
    clients.push(client);
    return client;
  };
  /** Joins and waits for the room-info that lists every expected member. */
  const join = async (client: Client, payload: Record<string, unknown>, expectMembers?: number) => {
    const answer = await client.request<any>('join-room', payload);
    expect(answer).toMatchObject({ ok: true });
    if (expectMembers !== undefined) await roomInfo(client, (info) => info.clients.length === expectMembers);
    return answer.ok ? answer.data : null;
  };
  const roomInfo = (client: Client, match: (info: RoomInfo) => boolean) => client.next<RoomInfo>('room-info', match);
  const members = (info: RoomInfo) => info.clients.map((c) => c.id).sort();
  const refused = (code: string, message: string, event: string) => ({ ok: false, error: { code, message, event } });

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp({ ROOM_MAX_MEMBERS: String(MAX_MEMBERS) }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => app?.close());

  it('creates a room on the first join and tells every member who is inside', async () => {
    const roomId = freshRoom('lobby');
    const [alice, bob] = [await connect(), await connect()];
    const first = await join(alice, { roomId, name: 'Alice', roomName: 'The Lobby' });
    expect(first).toEqual({
      roomId,
      name: 'The Lobby',
      self: { id: alice.id, username: 'Alice' },
      clients: [{ id: alice.id, username: 'Alice' }],
      calls: [],
    });
    expect(await roomInfo(alice, () => true)).toMatchObject({ room_id: roomId, clients: [{ id: alice.id }] });

    await join(bob, { roomId });
    const seenByAlice = await roomInfo(alice, (info) => info.clients.length === 2);
    const seenByBob = await roomInfo(bob, (info) => info.clients.length === 2);
    expect(seenByAlice).toEqual(seenByBob);
    expect(seenByAlice.clients).toContainEqual({ id: bob.id, username: bob.name });
    expect(members(seenByAlice)).toEqual([alice.id, bob.id].sort());

    expect(await bob.request('get-room-info', {})).toEqual({ ok: true, data: seenByAlice });
    expect(await bob.next('room-info', (info: RoomInfo) => info.version === seenByAlice.version)).toEqual(seenByAlice);

    const renamed = await bob.request<RoomInfo>('profile', { username: 'Major Tom' });
    expect(renamed.ok && renamed.data.clients).toContainEqual({ id: bob.id, username: 'Major Tom' });
    const pushed = await roomInfo(alice, (info) => info.clients.some((c) => c.username === 'Major Tom'));
    expect(pushed.version).toBeGreaterThan(seenByAlice.version);
  });

  it('answers ping with pong carrying the data and the client\u2019s own id', async () => {
    const client = await connect();
    expect(await client.request('ping', { data: { n: 7 } })).toEqual({
      ok: true,
      data: { data: { n: 7 }, receiver: client.id },
    });
    expect(await client.next('pong')).toEqual({ data: { n: 7 }, receiver: client.id });
  });

  it('relays text to the whole room, the sender included, with the sender stamped by the server', async () => {
    const roomId = freshRoom('chat');
    const [alice, bob, outsider] = [await connect(), await connect(), await connect()];
    await join(alice, { roomId, name: 'Alice' });
    await join(bob, { roomId, name: 'Bob' }, 2);
    alice.emit('text', { text: 'hello room', from: 'Alice', time: 1234, sender: bob.id });
    const expected = { sender: alice.id, from: 'Alice', time: 1234, text: 'hello room' };
    expect(await bob.next('text')).toEqual(expected);
    expect(await alice.next('text')).toEqual(expected);
    const defaults = await bob.request('text', { text: 'no from' });
    expect(defaults).toEqual({ ok: true, data: { roomId } });
    expect(await alice.next('text', (t: any) => t.text === 'no from')).toMatchObject({ sender: bob.id, from: 'Bob' });
    await sleep(100);
    expect(outsider.count('text')).toBe(0);
    expect(await outsider.request('text', { text: 'hi' })).toEqual(refused('not_in_room', 'Not in a room', 'text'));
  });

  it('delivers offer, answer, icecandidate and greeting to one member only, with the stamped sender', async () => {
    const roomId = freshRoom('mesh');
    const [alice, bob, carol] = [await connect(), await connect(), await connect()];
    await join(alice, { roomId });
    await join(bob, { roomId });
    await join(carol, { roomId }, 3);
    const offer = { type: 'offer', sdp: 'v=0\r\n' };
    expect(await alice.request('offer', { receiver: bob.id, data: offer, sender: carol.id })).toEqual({
      ok: true,
      data: { forwarded: true, delivery: 'delivered', seq: expect.any(Number) },
    });
    expect(await bob.next('offer')).toEqual({
      sender: alice.id,
      receiver: bob.id,
      data: offer,
      seq: expect.any(Number),
    });
    bob.emit('answer', { receiver: alice.id, data: { type: 'answer', sdp: 'v=0\r\n' } });
    expect(await alice.next('answer')).toMatchObject({ sender: bob.id, receiver: alice.id });
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: '0' };
    alice.emit('icecandidate', { receiver: bob.id, data: candidate });
    expect(await bob.next('icecandidate')).toEqual({
      sender: alice.id,
      receiver: bob.id,
      data: candidate,
      seq: expect.any(Number),
    });
    carol.emit('greeting', { receiver: alice.id, data: { hello: true } });
    expect(await alice.next('greeting')).toEqual({
      sender: carol.id,
      receiver: alice.id,
      data: { hello: true },
      seq: expect.any(Number),
    });
    expect(await carol.request('greeting', {})).toEqual({ ok: true, data: { forwarded: false } });
    await sleep(100);
    expect(carol.count('offer') + carol.count('answer') + carol.count('icecandidate')).toBe(0);
  });

  it('refuses a receiver outside the sender\u2019s room, and a sender in no room, without delivering', async () => {
    const [alice, stranger, loner] = [await connect(), await connect(), await connect()];
    await join(alice, { roomId: freshRoom('a') });
    await join(stranger, { roomId: freshRoom('b') });
    const offer = { receiver: stranger.id, data: { type: 'offer', sdp: 'x' } };
    expect(await alice.request('offer', offer)).toEqual(
      refused('receiver_not_in_room', 'Receiver is not in your room', 'offer'),
    );
    expect(await alice.next('error')).toMatchObject({ code: 'receiver_not_in_room' });
    expect(await alice.request('icecandidate', { receiver: 'zzzzzzzzzz', data: {} })).toMatchObject(
      refused('receiver_not_in_room', 'Receiver is not in your room', 'icecandidate'),
    );
    expect(await loner.request('answer', { receiver: alice.id, data: {} })).toEqual(
      refused('not_in_room', 'Not in a room', 'answer'),
    );
    expect(await loner.request('get-room-info', {})).toEqual(refused('not_in_room', 'Not in a room', 'get-room-info'));
    expect(await loner.request('profile', { username: 'x' })).toEqual(
      refused('not_in_room', 'Not in a room', 'profile'),
    );
    await sleep(100);
    expect(stranger.count('offer') + stranger.count('icecandidate')).toBe(0);
    expect(alice.count('answer')).toBe(0);
  });

  it('checks a room password against its hash', async () => {
    const roomId = freshRoom('secret');
    const [owner, guest] = [await connect(), await connect()];
    await join(owner, { roomId, password: 'correct horse' });
    const wrong = refused('wrong_password', 'Wrong room password', 'join-room');
    expect(await guest.request('join-room', { roomId })).toEqual(wrong);
    expect(await guest.request('join-room', { roomId, password: 'Correct horse' })).toEqual(wrong);
    expect(await guest.next('error')).toMatchObject({ code: 'wrong_password' });
    await join(guest, { roomId, password: 'correct horse' }, 2);
  });

  it('refuses a member over the room\u2019s guest limit and over ROOM_MAX_MEMBERS', async () => {
    const limited = freshRoom('limited');
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await join(a, { roomId: limited, guestLimit: 2 });
    await join(b, { roomId: limited, guestLimit: 50 });
    const full = refused('room_full', 'Guest limit already reached', 'join-room');
    expect(await c.request('join-room', { roomId: limited })).toEqual(full);
    expect(await b.request('join-room', { roomId: limited, name: 'Again' })).toMatchObject({ ok: true });

    const capped = freshRoom('capped');
    const crowd = await Promise.all(Array.from({ length: MAX_MEMBERS + 2 }, () => connect()));
    const answers = await Promise.all(crowd.map((m) => m.request('join-room', { roomId: capped, guestLimit: 100 })));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(MAX_MEMBERS);
    expect(answers.filter((answer) => !answer.ok)).toEqual([full, full]);
  });

  it('bye leaves the room: the room is told, and the leaver can no longer reach it', async () => {
    const roomId = freshRoom('bye');
    const [alice, bob] = [await connect(), await connect()];
    await join(alice, { roomId });
    await join(bob, { roomId }, 2);
    alice.forget('room-info');
    expect(await bob.request('bye', {})).toEqual({ ok: true, data: { left: roomId } });
    expect(await alice.next('bye')).toEqual({ sender: bob.id, roomId });
    expect(members(await roomInfo(alice, (info) => info.clients.length === 1))).toEqual([alice.id]);
    expect(await bob.request('offer', { receiver: alice.id, data: {} })).toMatchObject({
      error: { code: 'not_in_room' },
    });
    expect(await bob.request('bye', {})).toEqual({ ok: true, data: { left: null } });

    const carol = await connect();
    await join(carol, { roomId }, 2);
    await roomInfo(alice, (info) => info.clients.length === 2);
    carol.close();
    expect(
      members(await roomInfo(alice, (info) => info.clients.length === 1 && info.clients[0]?.id === alice.id)),
    ).toEqual([alice.id]);
  });

  it('leaves no ghost member behind when a socket closes while it joins', async () => {
    const roomId = freshRoom('ghost');
    const watcher = await connect();
    // The password check takes a while (scrypt), so the sockets close while their joins are under way.
    await join(watcher, { roomId, guestLimit: 3, password: 'pw' });
    const quitters = await Promise.all(Array.from({ length: 4 }, () => connect()));
    for (const quitter of quitters) quitter.emit('join-room', { roomId, password: 'pw' });
    await sleep(20);
    for (const quitter of quitters) quitter.close();
    await sleep(2_500);
    const info = await watcher.request<RoomInfo>('get-room-info', {});
    expect(info.ok && members(info.data)).toEqual([watcher.id]);
    const late = await connect();
    await join(late, { roomId, password: 'pw' }, 2);
  });

  it('moves a member to another room, leaving the first one', async () => {
    const [first, second] = [freshRoom('first'), freshRoom('second')];
    const [alice, bob] = [await connect(), await connect()];
    await join(alice, { roomId: first });
    await join(bob, { roomId: first }, 2);
    alice.forget('room-info');
    await join(bob, { roomId: second });
    expect(members(await roomInfo(alice, (info) => info.clients.length === 1))).toEqual([alice.id]);
    expect(await bob.request('offer', { receiver: alice.id, data: {} })).toMatchObject({
      error: { code: 'receiver_not_in_room' },
    });
  });

  describe('calls', () => {
    const callState = (client: Client, match: (state: any) => boolean) => client.next<any>('call-state', match);

    it('starts, joins, relays and ends a call, telling the room at each step', async () => {
      const roomId = freshRoom('call');
      const [alice, bob, carol] = [await connect(), await connect(), await connect()];
      await join(alice, { roomId });
      await join(bob, { roomId });
      await join(carol, { roomId }, 3);

      const started = await alice.request<any>('start-call', { roomId });
      expect(started).toMatchObject({ ok: true, data: { roomId, by: alice.id } });
      const callId = started.ok ? (started.data.callId as string) : '';
      expect(callId).toMatch(/^[0-9a-z]{16}$/);
      for (const member of [alice, bob, carol]) {
        expect(await member.next('call-started')).toEqual({ callId, roomId, by: alice.id });
        expect(await callState(member, () => true)).toEqual({
          callId,
          roomId,
          participants: [alice.id],
          active: true,
        });
      }

      expect(await bob.request('join-call', { callId })).toEqual({
        ok: true,
        data: { callId, roomId, participants: [alice.id, bob.id], active: true },
      });
      await callState(carol, (s) => s.participants.length === 2);

      const signal = { sdp: { type: 'offer', sdp: 'v=0' }, channelId: 'voice' };
      expect(await alice.request('call-signal', { callId, target: bob.id, signal })).toEqual({
        ok: true,
        data: { forwarded: true, delivery: 'delivered', seq: expect.any(Number) },
      });
      expect(await bob.next('call-signal')).toEqual({ callId, from: alice.id, signal, seq: expect.any(Number) });
      expect(await alice.request('call-signal', { callId, target: carol.id, signal })).toEqual(
        refused('target_not_in_call', 'Target is not in this call', 'call-signal'),
      );
      expect(await carol.request('call-signal', { callId, target: alice.id, signal })).toEqual(
        refused('not_in_call', 'Not in this call', 'call-signal'),
      );

      const late = await connect();
      const entered = await join(late, { roomId }, 4);
      expect(entered.calls).toEqual([{ callId, roomId, by: alice.id, participants: [alice.id, bob.id] }]);

      carol.forget('call-state');
      expect(await alice.request('end-call', { callId })).toEqual({
        ok: true,
        data: { callId, roomId, participants: [bob.id], active: true },
      });
      await callState(carol, (s) => s.participants.length === 1);
      expect(await bob.request('end-call', { callId })).toMatchObject({ ok: true, data: { active: false } });
      expect(await callState(carol, (s) => !s.active)).toEqual({ callId, roomId, participants: [], active: false });
      expect(await carol.request('join-call', { callId })).toEqual(
        refused('call_not_found', 'Call not found', 'join-call'),
      );
      expect(await bob.request('end-call', { callId })).toEqual(refused('not_in_call', 'Not in this call', 'end-call'));
    });

    it('drops a participant who disconnects or says bye, and ends the call with the last one', async () => {
      const roomId = freshRoom('drop');
      const [alice, bob, watcher] = [await connect(), await connect(), await connect()];
      await join(alice, { roomId });
      await join(bob, { roomId });
      await join(watcher, { roomId }, 3);
      const started = await alice.request<any>('start-call', { roomId });
      const callId = started.ok ? started.data.callId : '';
      await bob.request('join-call', { callId });
      await callState(watcher, (s) => s.participants.length === 2);
      watcher.forget('call-state');
      bob.close();
      expect(await callState(watcher, (s) => s.participants.length === 1)).toMatchObject({
        participants: [alice.id],
        active: true,
      });
      await alice.request('bye', {});
      expect(await callState(watcher, (s) => !s.active)).toEqual({ callId, roomId, participants: [], active: false });
    });

    it('refuses calls outside the caller\u2019s room and unknown calls', async () => {
      const [roomA, roomB] = [freshRoom('ca'), freshRoom('cb')];
      const [alice, bob, loner] = [await connect(), await connect(), await connect()];
      await join(alice, { roomId: roomA });
      await join(bob, { roomId: roomB });
      expect(await alice.request('start-call', { roomId: roomB })).toEqual(
        refused('not_in_room', 'Not in a room', 'start-call'),
      );
      expect(await loner.request('start-call', { roomId: roomA })).toEqual(
        refused('not_in_room', 'Not in a room', 'start-call'),
      );
      const started = await alice.request<any>('start-call', { roomId: roomA });
      const callId = started.ok ? started.data.callId : '';
      expect(await bob.request('join-call', { callId })).toEqual(
        refused('call_not_found', 'Call not found', 'join-call'),
      );
      expect(await loner.request('join-call', { callId })).toEqual(
        refused('call_not_found', 'Call not found', 'join-call'),
      );
      expect(await alice.request('join-call', { callId: '0000000000000000' })).toEqual(
        refused('call_not_found', 'Call not found', 'join-call'),
      );
    });
  });

  describe('bad payloads', () => {
    const badPayloads: Record<string, unknown[]> = {
      'join-room': [
        undefined,
        {},
        { roomId: '' },
        { roomId: 'has space' },
        { roomId: 'x'.repeat(65) },
        { roomId: 'ok', password: '' },
        { roomId: 'ok', guestLimit: -1 },
        { roomId: 'ok', guestLimit: 1.5 },
        { roomId: 'ok', isPublic: 'yes' },
        { roomId: 'ok', name: 'n'.repeat(51) },
      ],
      'get-room-info': ['x', 5],
      profile: [undefined, {}, { username: '' }, { username: 5 }],
      text: [undefined, {}, { text: '' }, { text: 5 }, { text: 'x', time: {} }],
      ping: ['x', 5],
      offer: [undefined, {}, { receiver: 'abc', data: {} }, { receiver: 'abcdefghij' }],
      answer: [{ data: {} }],
      icecandidate: [{ receiver: 12, data: {} }],
      greeting: ['x', { receiver: 'short' }],
      bye: ['x'],
      'start-call': [undefined, {}, { roomId: 'a b' }],
      'join-call': [undefined, {}, { callId: 'short' }],
      'call-signal': [
        undefined,
        {},
        { callId: '0000000000000000', target: 'abcdefghij' },
        { callId: 'x', target: 'y', signal: 1 },
      ],
      'end-call': [{}, { callId: 7 }],
    };
    const cases = Object.entries(badPayloads).flatMap(([event, payloads]) =>
      payloads.map((payload) => [event, JSON.stringify(payload) ?? 'undefined', payload] as const),
    );

    it.each(cases)('%s with %s gets invalid_payload, and the ack carries it', async (event, _label, payload) => {
      const client = await connect();
      const answer = await client.request<unknown>(event, payload ?? null);
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: 'Invalid message payload', event },
      });
      expect((answer as any).error.details.length).toBeGreaterThan(0);
      expect(client.socket.connected).toBe(true);
    });
  });

  describe('GET /api/rooms/public', () => {
    it('lists public rooms with live member counts and nothing secret', async () => {
      const [open, locked, hidden] = [freshRoom('open'), freshRoom('locked'), freshRoom('hidden')];
      const [a, b, c, d] = [await connect(), await connect(), await connect(), await connect()];
      await join(a, { roomId: open, roomName: 'Open Room', isPublic: true });
      await join(b, { roomId: open });
      await join(c, { roomId: locked, isPublic: true, password: 'hunter2' });
      await join(d, { roomId: hidden, isPublic: false, password: 'hunter3' });

      const response = await fetch(`${url}/api/rooms/public`);
      expect(response.status).toBe(200);
      const text = await response.text();
      const { rooms } = JSON.parse(text) as { rooms: Record<string, unknown>[] };
      expect(rooms).toContainEqual({ id: open, name: 'Open Room', members: 2, locked: false });
      expect(rooms).toContainEqual({ id: locked, name: locked, members: 1, locked: true });
      expect(rooms.map((room) => room.id)).not.toContain(hidden);
      for (const secret of ['hunter2', 'hunter3', 'scrypt', hidden, a.id, b.id, c.id, d.id])
        expect(text).not.toContain(secret);
      for (const room of rooms) expect(Object.keys(room).sort()).toEqual(['id', 'locked', 'members', 'name']);

      a.forget('room-info');
      b.close();
      await roomInfo(a, (info) => info.clients.length === 1);
      const after = (await (await fetch(`${url}/api/rooms/public`)).json()) as {
        rooms: { id: string; members: number }[];
      };
      expect(after.rooms.find((room) => room.id === open)?.members).toBe(1);
    });

    it('leaves the transfer-room routes as they were', async () => {
      const response = await fetch(`${url}/api/rooms/public/extra`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'Room endpoint not found.' });
    });
  });
});
