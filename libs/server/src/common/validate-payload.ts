import { ErrorCode, formatIssues } from '@rendezvous/protocol';
import { SignalingError } from '@rendezvous/signaling';
import type { ZodType } from 'zod';

/** Validates one event's payload; a failure becomes `invalid_payload` with the schema's reasons. */
export function validatePayload<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidPayloadError(formatIssues(result.error.issues, 'payload'));
}

export class InvalidPayloadError extends SignalingError {
  constructor(readonly details: string[]) {
    super(ErrorCode.InvalidPayload);
  }
}
