import { describe, expect, it } from 'vitest';
import type { ScenarioOutcome } from '../../../test/browser/results.js';
import { runBrowserScenario } from '../../../test/support/browser-scenario.js';

/**
 * Real WebRTC in Debian's Chromium between pages on two replicas of a cluster (two gateways + Redis), through the
 * demo page: two pages pair by flight code, once directly and once forced through coturn; three pages build a
 * full mesh in a multiparty room. The scenario runs in its own network namespace (test/browser/webrtc-scenario.ts).
 */
describe('browsers across replicas (Chromium, own network namespace)', () => {
  it('pairs pages by flight code (directly and through TURN) and meshes three pages in a room, over data channels', () => {
    const outcome = runBrowserScenario<ScenarioOutcome>('webrtc-scenario', 150_000);
    expect(outcome.error ?? null).toBeNull();
    const [direct, relayed] = outcome.results ?? [];

    expect(direct).toMatchObject({ relay: false, connected: true, errors: [] });
    expect(direct?.received).toEqual({ a: ['hello from B'], b: ['hello from A'] });
    expect(direct?.files).toEqual([{ name: 'notes.txt', size: 200_000 }]);
    for (const type of direct?.candidateTypes ?? []) expect(['host', 'srflx', 'prflx', 'relay']).toContain(type);

    // iceTransportPolicy 'relay' with TURN REST credentials from the gateway: the data went through coturn.
    expect(relayed).toMatchObject({ relay: true, connected: true, errors: [], candidateTypes: ['relay', 'relay'] });
    expect(relayed?.received).toEqual({ a: ['hello from B'], b: ['hello from A'] });

    // Three pages (one on the first replica, two on the second) in one multiparty room: a full mesh.
    expect(outcome.mesh).toEqual({
      connectedPeers: [2, 2, 2],
      received: [
        ['hello from page 2', 'hello from page 3'],
        ['hello from page 1', 'hello from page 3'],
        ['hello from page 1', 'hello from page 2'],
      ],
      errors: [],
    });
  }, 180_000);
});
