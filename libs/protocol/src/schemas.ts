import { z } from 'zod';

/** Alphabet of flight codes: no 0/O, 1/I, so codes survive being read aloud. */
export const FLIGHT_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const FLIGHT_CODE_LENGTH = 6;

const flightCode = z
  .string()
  .trim()
  .toUpperCase()
  .length(FLIGHT_CODE_LENGTH, 'flightCode must be 6 characters')
  .regex(/^[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]+$/, 'flightCode has characters outside the code alphabet');

const sessionId = z.string().regex(/^[0-9a-z]{10}$/, 'must be a session id (10 characters, 0-9 a-z)');

/** Events without fields accept no payload or an object (extra fields are ignored, as DropSilk's zod strips them). */
const empty = z.union([z.undefined(), z.null(), z.object({})]).transform(() => ({}));

export const clientSchemas = {
  'register-details': z.object({ name: z.string().trim().min(1).max(50) }),
  'create-flight': empty,
  'join-flight': z.object({ flightCode }),
  'invite-to-flight': z.object({ inviteeId: sessionId, flightCode }),
  signal: z.object({ data: z.unknown().refine((value) => value !== undefined, 'data is required') }),
  'leave-flight': empty,
  'attach-room': z.object({
    roomCode: z
      .string()
      .trim()
      .length(FLIGHT_CODE_LENGTH, 'roomCode must be 6 characters')
      .transform((value) => value.toUpperCase()),
    participantId: z.string().trim().min(1).max(64),
    channel: z.enum(['transfer', 'screen-share', 'chat']).default('transfer'),
  }),
} as const;

/** Zod issues as `path: message` lines; `root` names the value itself when an issue has no path. */
export function formatIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  root: string,
): string[] {
  return issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : root}: ${issue.message}`);
}

export type ClientEventName = keyof typeof clientSchemas;
export const CLIENT_EVENTS = Object.keys(clientSchemas) as ClientEventName[];

export type RegisterDetailsPayload = z.infer<(typeof clientSchemas)['register-details']>;
export type JoinFlightPayload = z.infer<(typeof clientSchemas)['join-flight']>;
export type InviteToFlightPayload = z.infer<(typeof clientSchemas)['invite-to-flight']>;
export type SignalPayload = { data: unknown };
export type AttachRoomPayload = z.infer<(typeof clientSchemas)['attach-room']>;
export type RoomChannel = AttachRoomPayload['channel'];
