import { describe, expect, it } from 'vitest';
import { DROPSILK_FILE_BYTES } from '../../../test/browser/seed-pages.js';
import { runBrowserScenario } from '../../../test/support/browser-scenario.js';

interface SeedOutcome {
  ok: boolean;
  error?: string;
  dropSilk?: { host: Record<string, unknown>; guest: Record<string, unknown> };
  camus?: { a: Record<string, unknown>; b: Record<string, unknown> };
}

/**
 * The seeds' own web clients, as pages that use only the browser's WebSocket, fetch and RTCPeerConnection the way
 * DropSilk's frontend and Camus's client do, on two replicas in Debian's Chromium (test/browser/seed-scenario.ts,
 * in its own network namespace).
 */
describe("the seeds' own web clients across replicas (Chromium, own network namespace)", () => {
  it('transfers a file between DropSilk-style pages and connects Camus-style pages that exchange a chat text', () => {
    const outcome = runBrowserScenario<SeedOutcome>('seed-scenario', 120_000);
    expect(outcome.error ?? null).toBeNull();

    // DropSilk: room created over HTTP from another origin (preflight), attach-room over a plain WebSocket on each
    // replica, the host's offer, and the file over the data channel.
    expect(outcome.dropSilk?.host).toMatchObject({ open: true, errors: [] });
    expect(outcome.dropSilk?.guest).toMatchObject({
      open: true,
      done: true,
      received: DROPSILK_FILE_BYTES,
      errors: [],
    });
    expect(outcome.dropSilk?.guest.log).toEqual(expect.arrayContaining(['registered', 'room-attached', 'peer-joined']));

    // Camus: ids from pong, peers from room-info, offer/answer/icecandidate envelopes, and `text` to the room.
    for (const page of [outcome.camus?.a, outcome.camus?.b]) {
      expect(page).toMatchObject({ open: true, errors: [] });
      expect([...((page?.texts as string[]) ?? [])].sort()).toEqual(['hello from Ada', 'hello from Bea']);
    }
  }, 150_000);
});
