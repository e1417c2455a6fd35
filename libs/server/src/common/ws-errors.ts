import type { Logger } from '@nestjs/common';
import { ErrorCode, ErrorMessage, type ErrorPayload } from '@rendezvous/protocol';
import { SignalingError } from '@rendezvous/signaling';
import type { Socket } from 'socket.io';
import { InvalidPayloadError } from './validate-payload.js';
import { LimitExceeded } from '@rendezvous/limits';

/** What a failed client event costs the client that sent it: `error {code, message, event}` and the ack's error. */
export function toErrorPayload(exception: unknown, event: string, logger: Logger): ErrorPayload {
  if (exception instanceof InvalidPayloadError) {
    return { code: exception.code, message: exception.message, event, details: exception.details };
  }
  if (exception instanceof SignalingError) return { code: exception.code, message: exception.message, event };
  if (exception instanceof LimitExceeded) return limitPayload(exception, event);
  if (isRedisUnavailable(exception)) {
    logger.warn(`${event}: live state unavailable: ${(exception as Error).message}`);
    return { code: ErrorCode.Unavailable, message: ErrorMessage.unavailable, event };
  }
  logger.error(`${event}: ${(exception as Error)?.stack ?? String(exception)}`);
  return { code: ErrorCode.Internal, message: ErrorMessage.internal_error, event };
}

/** A lockout (failed joins, room passwords) is `too_many_attempts`; any other limit is `rate_limited`. */
function limitPayload(exception: LimitExceeded, event: string): ErrorPayload {
  const code = exception.isLockout ? ErrorCode.TooManyAttempts : ErrorCode.RateLimited;
  const seconds = exception.retryAfterSeconds;
  const message =
    code === ErrorCode.TooManyAttempts
      ? `Too many failed attempts; try again in ${seconds} s`
      : `Too many requests; try again in ${seconds} s`;
  return { code, message, event, retryAfterMs: exception.retryAfterMs };
}

export function sendError(socket: Socket, error: ErrorPayload, ack?: (response: unknown) => void): void {
  if (socket.connected) socket.emit('error', error);
  ack?.({ ok: false, error });
}

/** Answers the one client whose `event` failed with `exception`: its `error` event, and its ack's error. */
export function sendFailure(
  socket: Socket,
  event: string,
  exception: unknown,
  logger: Logger,
  ack?: (response: unknown) => void,
): void {
  sendError(socket, toErrorPayload(exception, event, logger), ack);
}

function isRedisUnavailable(exception: unknown): boolean {
  const message = (exception as Error)?.message ?? '';
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|max retries|Reached the max retries|ETIMEDOUT/i.test(
    message,
  );
}
