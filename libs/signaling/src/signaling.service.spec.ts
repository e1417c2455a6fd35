import { loadConfig } from '@rendezvous/config';
import { createMemoryLiveState } from '@rendezvous/cluster';
import { beforeEach, describe, expect, it } from 'vitest';
import { SignalingError } from './signaling.errors.js';
import { type SignalingDelivery, SignalingService } from './signaling.service.js';

/** Records what the domain asked the transport to deliver. */
class RecordingDelivery implements SignalingDelivery {
  sent: { to: string; event: string; payload: unknown }[] = [];
  presence: string[][] = [];
  peers: [string, string | null][] = [];
  flightPeerChanged(sessionId: string, peerId: string | null): void {
    this.peers.push([sessionId, peerId]);
  }
  toSession(to: string, event: string, payload: unknown): void {
    this.sent.push({ to, event, payload });
  }
  presenceChanged(groups: string[]): void {
    this.presence.push(groups);
  }
  roomSlotTaken(sessionId: string, roomCode: string): void {
    this.sent.push({ to: sessionId, event: 'room-detached', payload: { roomCode } });
  }
}

describe('SignalingService flight state machine', () => {
  let delivery: RecordingDelivery;
  let service: SignalingService;

  beforeEach(() => {
    delivery = new RecordingDelivery();
    service = new SignalingService(createMemoryLiveState(), delivery, loadConfig({ REPLICA_ID: 'unit' }));
  });

  it('walks idle -> created -> full -> one left -> deleted', async () => {
    const host = (await service.connect('192.168.1.2')).session;
    const guest = (await service.connect('192.168.1.3')).session;
    expect(delivery.presence).toEqual([['v4:192.168.1'], ['v4:192.168.1']]);

    const { code } = await service.createFlight(host);
    await expect(service.createFlight(host)).rejects.toMatchObject({ code: 'already_in_flight' });

    const joinedTokens: string[] = [];
    const joined = await service.joinFlight(guest, code, (token) => joinedTokens.push(token));
    expect(joined).toMatchObject({ code, connectionType: 'lan', peer: { id: host.id, name: host.name } });
    expect(joinedTokens).toHaveLength(1);
    expect(delivery.peers).toEqual([
      [guest.id, host.id],
      [host.id, guest.id],
    ]);
    expect(delivery.sent.map(({ to, event }) => [to, event])).toEqual([
      [guest.id, 'peer-joined'],
      [host.id, 'peer-joined'],
    ]);
    expect(delivery.sent[1]?.payload).toEqual({
      flightCode: code,
      peer: { id: guest.id, name: guest.name },
      connectionType: 'lan',
    });

    delivery.sent = [];
    await service.leaveFlight(guest);
    expect(delivery.sent).toEqual([
      { to: host.id, event: 'peer-left', payload: { flightCode: code, peerId: guest.id } },
    ]);
    expect(delivery.peers.at(-1)).toEqual([host.id, null]);

    delivery.sent = [];
    await service.disconnect(host.id);
    expect(delivery.sent).toEqual([]);
    await expect(service.joinFlight(guest, code)).rejects.toMatchObject({ code: 'flight_not_found' });
  });

  it('reports wan between different networks and refuses a third member', async () => {
    const host = (await service.connect('203.0.113.1')).session;
    const guest = (await service.connect('198.51.100.1')).session;
    const third = (await service.connect('198.51.100.2')).session;
    const { code } = await service.createFlight(host);
    expect((await service.joinFlight(guest, code)).connectionType).toBe('wan');
    const error = await service.joinFlight(third, code).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SignalingError);
    expect(error).toMatchObject({ code: 'flight_not_found', message: 'Flight not found or full' });
  });

  it('tells the peer when a member disconnects', async () => {
    const host = (await service.connect('10.0.0.1')).session;
    const guest = (await service.connect('10.0.0.2')).session;
    const { code } = await service.createFlight(host);
    await service.joinFlight(guest, code);
    delivery.sent = [];
    await service.disconnect(host.id);
    expect(delivery.sent).toEqual([
      { to: guest.id, event: 'peer-left', payload: { flightCode: code, peerId: host.id } },
    ]);
  });

  it('lets only members invite, and only existing sessions be invited', async () => {
    const host = (await service.connect('10.0.0.1')).session;
    const other = (await service.connect('10.0.0.2')).session;
    const outsider = (await service.connect('10.0.0.3')).session;
    const { code } = await service.createFlight(host);
    await expect(service.invite(outsider, other.id, code)).rejects.toMatchObject({ code: 'not_flight_member' });
    await expect(service.invite(host, 'zzzzzzzzzz', code)).rejects.toMatchObject({ code: 'invitee_not_found' });
    await service.invite(host, other.id, code);
    expect(delivery.sent.at(-1)).toEqual({
      to: other.id,
      event: 'flight-invitation',
      payload: { flightCode: code, fromId: host.id, fromName: host.name },
    });
  });
});
