import { type ErrorCode, ErrorMessage } from '@rendezvous/protocol';

/** A failure the client caused or must be told about; carries a stable protocol code. */
export class SignalingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ErrorMessage[code],
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}
