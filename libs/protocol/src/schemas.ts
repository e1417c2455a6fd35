import { z } from 'zod';
import { cleanDisplayName, displayNameSchema } from './names.js';
import type {
  AttachRoomPayload,
  CallIdPayload,
  InviteToFlightPayload,
  JoinFlightPayload,
  JoinRoomPayload,
  ProfilePayload,
  RegisterDetailsPayload,
  ResumeCredentials,
  StartCallPayload,
  TextPayload,
} from './payloads.js';

/** Alphabet of flight codes: no 0/O, 1/I, so codes survive being read aloud. */
export const FLIGHT_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const FLIGHT_CODE_LENGTH = 6;

const flightCode = z
  .string()
  .trim()
  .toUpperCase()
  .length(FLIGHT_CODE_LENGTH, 'flightCode must be 6 characters')
  .regex(/^[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]+$/, 'flightCode has characters outside the code alphabet');

/**
 * A transfer room code as clients type it: 6 ASCII letters or digits, compared without case. Only ASCII folds
 * (a Unicode upper-casing turns `ß` into `SS` and `ﬀ` into `FF`, so it would match codes nobody typed).
 */
export const roomCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{6}$/, 'roomCode must be 6 letters or digits')
  .transform((value) => value.toUpperCase());

const sessionId = z.string().regex(/^[0-9a-z]{10}$/, 'must be a session id (10 characters, 0-9 a-z)');

/** Room ids become parts of Redis keys and channel names, so they are slugs. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const roomId = z.string().trim().regex(ROOM_ID_PATTERN, 'roomId must be 1-64 characters of A-Z a-z 0-9 _ -');
const callId = z.string().regex(/^[0-9a-z]{16}$/, 'callId must be a call id (16 characters, 0-9 a-z)');
const username = displayNameSchema(50);
const required = z.unknown().refine((value) => value !== undefined, 'is required');
/** Camus' envelope, minus `sender`, which the server stamps: one member of the sender's room receives it. */
/** A relayed message's sequence number, given by its sender's client so that a replay keeps it (optional). */
const seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional();
const toMember = z.object({ receiver: sessionId, data: required, seq });

/** Events without fields accept no payload or an object (extra fields are ignored, as DropSilk's zod strips them). */
const empty = z.union([z.undefined(), z.null(), z.object({})]).transform(() => ({}));

export const clientSchemas = {
  'register-details': z.object({ name: displayNameSchema(50) }),
  'create-flight': empty,
  'join-flight': z.object({ flightCode }),
  'invite-to-flight': z.object({ inviteeId: sessionId, flightCode }),
  signal: z.object({ data: z.unknown().refine((value) => value !== undefined, 'data is required'), seq }),
  'leave-flight': empty,
  'attach-room': z.object({
    roomCode: roomCodeSchema,
    participantId: z.string().trim().min(1).max(64),
    channel: z.enum(['transfer', 'screen-share', 'chat']).default('transfer'),
  }),
  'join-room': z.object({
    roomId,
    name: username.optional(),
    password: z.string().min(1).max(256).optional(),
    roomName: displayNameSchema(100).optional(),
    isPublic: z.boolean().optional(),
    guestLimit: z.number().int().min(0).max(10_000).optional(),
  }),
  'get-room-info': empty,
  profile: z.object({ username }),
  text: z.object({
    text: z.string().min(1).max(10_000),
    from: z.string().transform(cleanDisplayName).pipe(z.string().max(50)).optional(),
    time: z.union([z.number(), z.string().max(64)]).optional(),
  }),
  ping: z.object({ data: z.unknown().optional() }).default({}),
  offer: toMember,
  answer: toMember,
  icecandidate: toMember,
  greeting: z.object({ receiver: sessionId.optional(), data: z.unknown().optional() }).default({}),
  bye: empty,
  'start-call': z.object({ roomId }),
  'join-call': z.object({ callId }),
  'call-signal': z.object({ callId, target: sessionId, signal: required, seq }),
  'end-call': z.object({ callId }),
  'get-ice-servers': empty,
} as const;

/**
 * The handshake's `auth.resume`: the session id and token (24 random bytes) of the last `registered` (or of a
 * drain's `server-shutdown`).
 */
export const resumeCredentialsSchema = z.object({
  sessionId,
  token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'must be a resume token'),
});

/** Zod issues as `path: message` lines; `root` names the value itself when an issue has no path. */
export function formatIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  root: string,
): string[] {
  return issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : root}: ${issue.message}`);
}

export type ClientEventName = keyof typeof clientSchemas;
export const CLIENT_EVENTS = Object.keys(clientSchemas) as ClientEventName[];

// Each plain payload type (payloads.ts) is exactly what its schema produces.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Produces<E extends ClientEventName> = z.output<(typeof clientSchemas)[E]>;
export const payloadTypesMatchSchemas: [
  Same<Produces<'register-details'>, RegisterDetailsPayload>,
  Same<Produces<'join-flight'>, JoinFlightPayload>,
  Same<Produces<'invite-to-flight'>, InviteToFlightPayload>,
  Same<Produces<'attach-room'>, AttachRoomPayload>,
  Same<Produces<'join-room'>, JoinRoomPayload>,
  Same<Produces<'profile'>, ProfilePayload>,
  Same<Produces<'text'>, TextPayload>,
  Same<Produces<'start-call'>, StartCallPayload>,
  Same<Produces<'join-call'>, CallIdPayload>,
  Same<z.output<typeof resumeCredentialsSchema>, ResumeCredentials>,
] = [true, true, true, true, true, true, true, true, true, true];
