import type { RoomAttachment } from '@rendezvous/rooms';
import { SignalingError } from '@rendezvous/signaling';
import { describe, expect, it } from 'vitest';
import { Client, type ClientLink } from './client.js';

function recordedClient(claims: ConstructorParameters<typeof Client>[2] = null) {
  const sent: [string, unknown][] = [];
  const link: ClientLink = {
    send: (event, payload) => sent.push([event, payload]),
    close: () => undefined,
    isOpen: true,
    resumable: false,
    protocol: 'test',
  };
  return { client: new Client(link, '10.0.0.1', claims), sent };
}

const attachment: RoomAttachment = {
  code: 'ABC123',
  participantId: 'p1',
  role: 'host',
  channel: 'transfer',
  key: 'ABC123:transfer',
};

describe('Client', () => {
  it('counts signals per flight for its story, but none for a transfer-room attachment', () => {
    const { client } = recordedClient();
    expect(client.signalsInFlight()).toBeUndefined();
    client.enterFlight('QWERTY', 'token-1');
    client.signalsSent = 3;
    expect(client.signalsInFlight()).toEqual({ code: 'QWERTY', count: 3 });
    client.enterFlight('ASDFGH', 'token-2');
    expect(client.signalsInFlight()).toBeUndefined();
    client.attachment = attachment;
    client.signalsSent = 2;
    expect(client.signalsInFlight()).toBeUndefined();
  });

  it('lets go of a room slot another connection took, only for that room and channel, and says so', () => {
    const { client, sent } = recordedClient();
    client.attachment = attachment;
    client.enterFlight(attachment.code, 'room-transfer');
    client.setFlightPeer('peer');
    client.roomSlotTaken('ABC123', 'chat');
    expect(client.attachment).toBe(attachment);
    client.roomSlotTaken('ABC123', 'transfer');
    expect([client.attachment, client.flight, client.peerId]).toEqual([null, null, null]);
    expect(sent).toEqual([
      ['room-detached', { roomCode: 'ABC123', channel: 'transfer', reason: 'attached-elsewhere' }],
    ]);
  });

  it("binds its name and rooms to its token's claims", () => {
    const { client } = recordedClient({ subject: 'u1', name: 'Ada', rooms: ['abc123', 'Lobby'] });
    expect(client.nameFor('Mallory')).toBe('Ada');
    expect(() => client.assertMayAttach('ABC123')).not.toThrow();
    expect(() => client.assertMayJoinRoom('Lobby')).not.toThrow();
    expect(() => client.assertMayJoinRoom('lobby')).toThrow(SignalingError);
    expect(() => client.assertMayAttach('XYZ789')).toThrow(SignalingError);
    expect(recordedClient().client.nameFor('Mallory')).toBe('Mallory');
  });

  it('is addressable by session only once it has one', async () => {
    const { client } = recordedClient();
    expect(() => client.sessionId).toThrow();
    await expect(client.currentSession()).rejects.toBeInstanceOf(SignalingError);
  });
});
