import { FLIGHT_CODE_ALPHABET } from '@rendezvous/protocol';
import { describe, expect, it } from 'vitest';
import { generateDisplayName, generateFlightCode, generateSessionId } from './identifiers.js';

describe('identifiers', () => {
  it('makes 6-character flight codes from the unambiguous alphabet only', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const code = generateFlightCode();
      expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
      seen.add(code);
    }
    expect(seen.size).toBeGreaterThan(4_990);
  });

  it('maps every byte value onto the alphabet without bias', () => {
    const counts = new Map<string, number>();
    for (let byte = 0; byte < 256; byte++) {
      const code = generateFlightCode(() => Buffer.alloc(6, byte));
      counts.set(code[0] as string, (counts.get(code[0] as string) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...FLIGHT_CODE_ALPHABET].sort().join(''));
    expect(new Set(counts.values())).toEqual(new Set([8]));
  });

  it('makes DropSilk-shaped session ids and readable names', () => {
    const ids = new Set(Array.from({ length: 2_000 }, () => generateSessionId()));
    expect(ids.size).toBe(2_000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{10}$/);
    expect(generateDisplayName()).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
  });
});
