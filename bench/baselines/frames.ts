import type { RawData } from 'ws';

/** A baseline relay's incoming frame `{data}`, or null when it is not JSON (dropped, as a bare relay would). */
export function parseFrame(raw: RawData): { data?: unknown } | null {
  try {
    return JSON.parse(raw.toString()) as { data?: unknown };
  } catch {
    return null;
  }
}
