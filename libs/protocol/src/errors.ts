/** Stable error codes sent in `error {code, message}` and in failed acknowledgements. */
export const ErrorCode = {
  InvalidPayload: 'invalid_payload',
  UnknownEvent: 'unknown_event',
  PayloadTooLarge: 'payload_too_large',
  PayloadTooDeep: 'payload_too_deep',
  AlreadyInFlight: 'already_in_flight',
  FlightNotFound: 'flight_not_found',
  NotInFlight: 'not_in_flight',
  NotFlightMember: 'not_flight_member',
  InviteeNotFound: 'invitee_not_found',
  RoomNotFound: 'room_not_found',
  RoomFull: 'room_full',
  WrongPassword: 'wrong_password',
  NotInRoom: 'not_in_room',
  ReceiverNotInRoom: 'receiver_not_in_room',
  CallNotFound: 'call_not_found',
  NotInCall: 'not_in_call',
  TargetNotInCall: 'target_not_in_call',
  RateLimited: 'rate_limited',
  TooManyAttempts: 'too_many_attempts',
  Busy: 'busy',
  Forbidden: 'forbidden',
  Unavailable: 'unavailable',
  PeerUnavailable: 'peer_unavailable',
  OutboxFull: 'outbox_full',
  Internal: 'internal_error',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Messages follow DropSilk's wording where DropSilk has one, so existing clients keep matching on them. */
export const ErrorMessage: Record<ErrorCode, string> = {
  invalid_payload: 'Invalid message payload',
  unknown_event: 'Unknown message type',
  payload_too_large: 'Message too large',
  payload_too_deep: 'Message nested too deeply (at most 64 levels of arrays and objects)',
  already_in_flight: 'Already in a flight',
  flight_not_found: 'Flight not found or full',
  not_in_flight: 'Not in a flight',
  not_flight_member: 'Only a member of the flight can invite to it',
  invitee_not_found: 'Invitee not found',
  room_not_found: 'Room not found or expired',
  room_full: 'Guest limit already reached',
  wrong_password: 'Wrong room password',
  not_in_room: 'Not in a room',
  receiver_not_in_room: 'Receiver is not in your room',
  call_not_found: 'Call not found',
  not_in_call: 'Not in this call',
  target_not_in_call: 'Target is not in this call',
  rate_limited: 'Too many messages; slow down',
  too_many_attempts: 'Too many failed attempts; try again later',
  busy: 'The server is busy; try again shortly',
  forbidden: 'Your token does not allow this room',
  unavailable: 'Service temporarily unavailable, try again shortly',
  peer_unavailable: 'The recipient is gone (its session ended)',
  outbox_full: 'The recipient is away and has too many messages waiting; try again shortly',
  internal_error: 'Server error processing your request',
};

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** The client event that caused the error, when known. */
  event?: string;
  /** For `invalid_payload`: which fields failed and why. */
  details?: string[];
  /** For `rate_limited` and `too_many_attempts` from a limit with a window: when a retry can succeed. */
  retryAfterMs?: number;
}
