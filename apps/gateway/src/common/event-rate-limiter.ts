import { splitAck } from '@rendezvous/transport';
import type { RendezvousConfig } from '@rendezvous/config';
import { ErrorCode, ErrorMessage } from '@rendezvous/protocol';
import type { Socket } from 'socket.io';
import { sendError } from './ws-error.filter.js';

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

/**
 * Events per socket per second, as a token bucket (RATE_LIMIT_EVENTS_PER_SECOND sustained, RATE_LIMIT_BURST at
 * once). An event over the limit is dropped with `rate_limited` (its ack, if any, always answered; the `error`
 * event at most once a second); RATE_LIMIT_MAX_DROPS drops within 10 s is sustained abuse and disconnects it.
 */
export class EventRateLimiter {
  private readonly buckets = new WeakMap<Socket, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limits: RendezvousConfig['limits'],
    private readonly onLimited: (outcome: 'dropped' | 'disconnected') => void = () => undefined,
  ) {
    this.perMs = limits.eventsPerSecond / 1_000;
  }

  admit(socket: Socket, event: string, args: unknown[]): boolean {
    // Events already read from a socket we disconnected are not worth a word.
    if (socket.disconnected) return false;
    const now = performance.now();
    let bucket = this.buckets.get(socket);
    if (!bucket) {
      bucket = { tokens: this.limits.burst, refilledAt: now, windowStart: now, drops: 0, lastErrorAt: -Infinity };
      this.buckets.set(socket, bucket);
    }
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (now - bucket.refilledAt) * this.perMs);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    if (now - bucket.windowStart >= DROP_WINDOW_MS) {
      bucket.windowStart = now;
      bucket.drops = 0;
    }
    if (++bucket.drops >= this.limits.maxDrops) {
      this.onLimited('disconnected');
      socket.disconnect(true);
      return false;
    }
    this.onLimited('dropped');
    const error = { code: ErrorCode.RateLimited, message: ErrorMessage.rate_limited, event: event.slice(0, 64) };
    const { ack } = splitAck(args);
    if (now - bucket.lastErrorAt >= ERROR_INTERVAL_MS) {
      bucket.lastErrorAt = now;
      sendError(socket, error, ack);
    } else {
      ack?.({ ok: false, error });
    }
    return false;
  }
}
