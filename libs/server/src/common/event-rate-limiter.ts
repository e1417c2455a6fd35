import { splitAck } from '@rendezvous/transport';
import type { RendezvousConfig } from '@rendezvous/config';
import { ErrorCode, ErrorMessage, type ErrorPayload } from '@rendezvous/protocol';
import type { Socket } from 'socket.io';
import { sendError } from './ws-errors.js';

interface Bucket {
  tokens: number;
  refilledAt: number;
  /** Start of the current 10 s window of refused events, and how many were refused in it. */
  windowStart: number;
  drops: number;
  lastErrorAt: number;
}

const DROP_WINDOW_MS = 10_000;
/** One `error` event per second at most: a flooding client must not make us flood it back. */
const ERROR_INTERVAL_MS = 1_000;

/** What becomes of one event: admitted, dropped (with an error to report, or silently), or the client cut off. */
export type RateVerdict = 'admit' | 'drop-and-report' | 'drop' | 'disconnect';

/**
 * Events per client per second, as a token bucket (RATE_LIMIT_EVENTS_PER_SECOND sustained, RATE_LIMIT_BURST at
 * once), for the clients of every binding (keyed by the connection object). An event over the limit is dropped
 * with `rate_limited` (its error at most once a second); RATE_LIMIT_MAX_DROPS drops within 10 s is sustained
 * abuse and disconnects the client.
 */
export class EventRateLimiter {
  private readonly buckets = new WeakMap<object, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limits: RendezvousConfig['limits'],
    private readonly onLimited: (outcome: 'dropped' | 'disconnected') => void = () => undefined,
  ) {
    this.perMs = limits.eventsPerSecond / 1_000;
  }

  check(client: object): RateVerdict {
    const now = performance.now();
    let bucket = this.buckets.get(client);
    if (!bucket) {
      bucket = { tokens: this.limits.burst, refilledAt: now, windowStart: now, drops: 0, lastErrorAt: -Infinity };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (now - bucket.refilledAt) * this.perMs);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'admit';
    }
    if (now - bucket.windowStart >= DROP_WINDOW_MS) {
      bucket.windowStart = now;
      bucket.drops = 0;
    }
    if (++bucket.drops >= this.limits.maxDrops) {
      this.onLimited('disconnected');
      return 'disconnect';
    }
    this.onLimited('dropped');
    if (now - bucket.lastErrorAt < ERROR_INTERVAL_MS) return 'drop';
    bucket.lastErrorAt = now;
    return 'drop-and-report';
  }

  /** The Socket.IO binding's use: an ack, if any, is always answered. */
  admit(socket: Socket, event: string, args: unknown[]): boolean {
    // Events already read from a socket we disconnected are not worth a word.
    if (socket.disconnected) return false;
    const verdict = this.check(socket);
    if (verdict === 'admit') return true;
    if (verdict === 'disconnect') {
      socket.disconnect(true);
      return false;
    }
    const error = rateLimitedError(event);
    const { ack } = splitAck(args);
    if (verdict === 'drop-and-report') sendError(socket, error, ack);
    else ack?.({ ok: false, error });
    return false;
  }
}

export function rateLimitedError(event: string): ErrorPayload {
  return { code: ErrorCode.RateLimited, message: ErrorMessage.rate_limited, event: event.slice(0, 64) };
}
