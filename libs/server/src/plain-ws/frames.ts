import { ErrorMessage } from '@rendezvous/protocol';
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan } from '@rendezvous/transport';
import type { RawData, WebSocket } from 'ws';
import type { EventRateLimiter } from '../common/event-rate-limiter.js';

/** DropSilk's words for a frame that is not a JSON object. */
export const INVALID_FORMAT_MESSAGE = 'Invalid message format';

export type ParsedFrame = { ok: true; message: Record<string, unknown> } | { ok: false; error: string };

/**
 * A client's text frame as a JSON object: refused before parsing when over MAX_PAYLOAD_BYTES, and after it when
 * not an object or nested deeper than the relay can safely carry.
 */
export function parseFrame(data: RawData, isBinary: boolean, maxPayloadBytes: number): ParsedFrame {
  if (isBinary) return { ok: false, error: INVALID_FORMAT_MESSAGE };
  const text = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (text.byteLength > maxPayloadBytes) return { ok: false, error: ErrorMessage.payload_too_large };
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch {
    return { ok: false, error: INVALID_FORMAT_MESSAGE };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: INVALID_FORMAT_MESSAGE };
  }
  if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH)) return { ok: false, error: ErrorMessage.payload_too_deep };
  return { ok: true, message: value as Record<string, unknown> };
}

/**
 * What every plain-WebSocket binding does first with a client's frame: the rate limit (sustained abuse closes the
 * socket with 1008), then parsing. The message, or null when it was refused (`refuse` got the error text).
 */
export function admitFrame(
  limiter: EventRateLimiter,
  ws: WebSocket,
  frame: { data: RawData; isBinary: boolean; maxPayloadBytes: number },
  refuse: (message: string) => void,
): Record<string, unknown> | null {
  const verdict = limiter.check(ws);
  if (verdict === 'disconnect') {
    ws.close(1008, 'Rate limit exceeded');
    return null;
  }
  if (verdict === 'drop-and-report') refuse(ErrorMessage.rate_limited);
  if (verdict !== 'admit') return null;
  const parsed = parseFrame(frame.data, frame.isBinary, frame.maxPayloadBytes);
  if (parsed.ok) return parsed.message;
  refuse(parsed.error);
  return null;
}
