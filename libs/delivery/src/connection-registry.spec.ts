import { describe, expect, it } from 'vitest';
import type { ClientConnection } from './client-connection.js';
import type { ClusterBus } from './cluster-bus.js';
import { ConnectionRegistry } from './connection-registry.js';

/** Records which sessions the registry asks the bus to release. */
class RecordingBus implements ClusterBus {
  readonly released: string[] = [];
  async hold(): Promise<void> {}
  release(sessionId: string): void {
    this.released.push(sessionId);
  }
  async toSession(): Promise<'gone'> {
    return 'gone';
  }
  async keep(): Promise<'gone'> {
    return 'gone';
  }
  broadcast(): void {}
  onSessionMessage(): void {}
  onBroadcast(): void {}
  close(): void {}
}

const connection = (sessionId: string, group = 'v4:10.0.0'): ClientConnection & { sent: unknown[] } => {
  const sent: unknown[] = [];
  return {
    sessionId,
    group,
    sent,
    isOpen: true,
    send: (event, payload) => void sent.push([event, payload]),
    setFlightPeer: () => undefined,
    roomSlotTaken: () => undefined,
    sessionTaken: () => undefined,
  };
};

describe('ConnectionRegistry', () => {
  it('finds connections by session, group and room, and releases their sessions on the bus', () => {
    const bus = new RecordingBus();
    const registry = new ConnectionRegistry(bus);
    const a = connection('a');
    const b = connection('b', 'v4:10.0.1');
    registry.add(a);
    registry.add(b);
    registry.joinRoom('team', a);
    expect(registry.get('a')).toBe(a);
    expect([...(registry.inGroup('v4:10.0.0') ?? [])]).toEqual([a]);
    expect(registry.groups().sort()).toEqual(['v4:10.0.0', 'v4:10.0.1']);
    expect([...(registry.inRoom('team') ?? [])]).toEqual([a]);

    registry.leaveRoom('team', a);
    registry.remove(a);
    expect(registry.inRoom('team')).toBeUndefined();
    expect(registry.get('a')).toBeUndefined();
    expect(registry.inGroup('v4:10.0.0')).toBeUndefined();
    expect(bus.released).toEqual(['a']);
  });

  it('lets a newer connection of a session replace an older one, whose later removal changes nothing', () => {
    const bus = new RecordingBus();
    const registry = new ConnectionRegistry(bus);
    const older = connection('s');
    const newer = connection('s');
    registry.add(older);
    registry.add(newer);
    registry.remove(older);
    expect(registry.get('s')).toBe(newer);
    expect(bus.released).toEqual([]);
    registry.remove(newer);
    expect(registry.get('s')).toBeUndefined();
    expect(bus.released).toEqual(['s']);
  });
});
