import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/ports.js';

interface PairResult {
  relay: boolean;
  connected: boolean;
  candidateTypes: (string | null)[];
  received: { a: string[]; b: string[] };
  errors: string[];
}

/**
 * Real WebRTC in Debian's Chromium between two pages on two replicas of a cluster (two gateways + Redis), paired
 * by flight code through the demo page. The scenario runs in its own network namespace (see the script).
 */
describe('browsers across replicas (Chromium, own network namespace)', () => {
  it('pairs two pages by flight code, opens a data channel and exchanges messages both ways, directly and through TURN', () => {
    const script = join(repoRoot(), 'dist/test/browser/webrtc-scenario.js');
    const run = spawnSync('unshare', ['-n', '--', process.execPath, script], {
      encoding: 'utf8',
      timeout: 150_000,
      env: { PATH: process.env.PATH },
    });
    const lastLine = run.stdout.trim().split('\n').pop() ?? '';
    let outcome: { ok: boolean; error?: string; results?: PairResult[] };
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
    for (const type of direct?.candidateTypes ?? []) expect(['host', 'srflx', 'prflx', 'relay']).toContain(type);

    // iceTransportPolicy 'relay' with TURN REST credentials from the gateway: the data went through coturn.
    expect(relayed).toMatchObject({ relay: true, connected: true, errors: [], candidateTypes: ['relay', 'relay'] });
    expect(relayed?.received).toEqual({ a: ['hello from B'], b: ['hello from A'] });
  }, 180_000);
});
