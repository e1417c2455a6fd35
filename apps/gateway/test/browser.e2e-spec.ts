import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioOutcome } from '../../../test/browser/results.js';
import { repoRoot } from '../../../test/support/ports.js';

/**
 * Real WebRTC in Debian's Chromium between pages on two replicas of a cluster (two gateways + Redis), through the
 * demo page: two pages pair by flight code, once directly and once forced through coturn; three pages build a
 * full mesh in a multiparty room. The scenario runs in its own network namespace (test/browser/webrtc-scenario.ts).
 */
describe('browsers across replicas (Chromium, own network namespace)', () => {
  it('pairs pages by flight code (directly and through TURN) and meshes three pages in a room, over data channels', () => {
    const script = join(repoRoot(), 'dist/test/browser/webrtc-scenario.js');
    const run = spawnSync('unshare', ['-n', '--', process.execPath, script], {
      encoding: 'utf8',
      timeout: 150_000,
      env: { PATH: process.env.PATH },
    });
    const lastLine = run.stdout.trim().split('\n').pop() ?? '';
    let outcome: ScenarioOutcome;
    try {
      outcome = JSON.parse(lastLine) as typeof outcome;
    } catch {
      throw new Error(
        `the browser scenario printed no result (exit ${run.status}, is chromium installed? .ci/run installs it):\n` +
          `${run.stdout}\n${run.stderr}`,
      );
    }
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
