import { z } from 'zod';
import { ErrorCode } from './errors.js';
import type { ClientToServerEvents, ServerToClientEvents } from './events.js';
import type { ClientEventName } from './schemas.js';

// What the server sends, as schemas: the source of the AsyncAPI document's server messages and acknowledgements
// (docs/asyncapi.yaml). The server builds these payloads itself, so nothing validates them at run time; the
// compile-time checks at the end keep each equal to its TypeScript type in events.ts.

const peerInfo = z.object({ id: z.string(), name: z.string() });
const member = z.object({ id: z.string(), username: z.string() });
const resumeCredentials = z.object({ sessionId: z.string(), token: z.string() });
const iceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
const relayReceipt = z.object({
  forwarded: z.literal(true),
  delivery: z.enum(['delivered', 'queued']),
  seq: z.number().int(),
});
const roomParticipant = z.object({
  participantId: z.string(),
  role: z.enum(['host', 'guest']),
  name: z.string(),
  ready: z.boolean(),
  fileCount: z.number().int(),
  totalBytes: z.number().int(),
});
const roomAttached = z.object({
  flightCode: z.string(),
  role: z.enum(['host', 'guest']),
  peer: roomParticipant.nullable(),
});
const roomInfo = z.object({ room_id: z.string(), clients: z.array(member), version: z.number().int() });
const callInfo = z.object({
  callId: z.string(),
  roomId: z.string(),
  by: z.string(),
  participants: z.array(z.string()),
});
const callStarted = z.object({ callId: z.string(), roomId: z.string(), by: z.string() });
const callState = z.object({
  callId: z.string(),
  roomId: z.string(),
  participants: z.array(z.string()),
  active: z.boolean(),
});
const memberSignal = z.object({
  sender: z.string(),
  receiver: z.string(),
  data: z.unknown(),
  seq: z.number().int().optional(),
});
const registered = z.object({ id: z.string(), name: z.string(), resume: resumeCredentials.optional() });
const flightCreated = z.object({ flightCode: z.string() });
const peerJoined = z.object({ flightCode: z.string(), peer: peerInfo, connectionType: z.enum(['lan', 'wan']) });
const pong = z.object({ data: z.unknown(), receiver: z.string() });

export const errorPayloadSchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  event: z.string().optional(),
  details: z.array(z.string()).optional(),
});

export const serverSchemas = {
  registered,
  'rtc-config': z.object({ iceServers: z.array(iceServer) }),
  'ice-servers': z.array(iceServer),
  'users-on-network-update': z.object({ users: z.array(peerInfo) }),
  'flight-created': flightCreated,
  'peer-joined': peerJoined,
  'peer-left': z.object({ flightCode: z.string(), peerId: z.string() }),
  'flight-invitation': z.object({ flightCode: z.string(), fromId: z.string(), fromName: z.string() }),
  signal: z.object({ from: z.string(), data: z.unknown(), seq: z.number().int().optional() }),
  'server-shutdown': z.object({
    message: z.string(),
    resume: resumeCredentials.extend({ graceMs: z.number().int() }).optional(),
  }),
  'session-resumed': z.object({
    id: z.string(),
    flightCode: z.string().nullable(),
    peer: peerInfo.nullable(),
    roomId: z.string().nullable(),
    callId: z.string().nullable(),
  }),
  'room-attached': roomAttached,
  'room-expired': z.object({ roomCode: z.string() }),
  'room-detached': z.object({
    roomCode: z.string(),
    channel: z.enum(['transfer', 'screen-share', 'chat']),
    reason: z.literal('attached-elsewhere'),
  }),
  'room-info': roomInfo,
  text: z.object({ sender: z.string(), from: z.string(), time: z.union([z.number(), z.string()]), text: z.string() }),
  pong,
  offer: memberSignal,
  answer: memberSignal,
  icecandidate: memberSignal,
  greeting: memberSignal,
  bye: z.object({ sender: z.string(), roomId: z.string() }),
  'call-started': callStarted,
  'call-state': callState,
  'call-signal': z.object({
    callId: z.string(),
    from: z.string(),
    signal: z.unknown(),
    seq: z.number().int().optional(),
  }),
  error: errorPayloadSchema,
} as const;

/** What each client event's acknowledgement carries in `data` when `ok` is true. */
export const ackSchemas = {
  'register-details': registered,
  'create-flight': flightCreated,
  'join-flight': peerJoined,
  'invite-to-flight': z.object({ invited: z.string() }),
  signal: z.union([
    z.object({ flightCode: z.string(), forwarded: z.literal(false) }),
    relayReceipt.extend({ flightCode: z.string() }),
  ]),
  'leave-flight': z.object({ left: z.string().nullable() }),
  'attach-room': roomAttached,
  'join-room': z.object({
    roomId: z.string(),
    name: z.string(),
    self: member,
    clients: z.array(member),
    calls: z.array(callInfo),
  }),
  'get-room-info': roomInfo,
  profile: roomInfo,
  text: z.object({ roomId: z.string() }),
  ping: pong,
  offer: relayReceipt,
  answer: relayReceipt,
  icecandidate: relayReceipt,
  greeting: z.object({ forwarded: z.boolean() }),
  bye: z.object({ left: z.string().nullable() }),
  'start-call': callStarted,
  'join-call': callState,
  'call-signal': relayReceipt,
  'end-call': callState,
  'get-ice-servers': z.array(iceServer),
} as const satisfies Record<ClientEventName, z.ZodType>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AllTrue<T> = false extends T[keyof T] ? false : true;
type AckOf<E extends keyof ClientToServerEvents> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends (response: { ok: true; data: infer T } | never) => void
    ? T
    : never;
type ServerChecks = {
  [E in keyof ServerToClientEvents]: Same<z.output<(typeof serverSchemas)[E]>, Parameters<ServerToClientEvents[E]>[0]>;
};
type AckChecks = { [E in ClientEventName]: Same<z.output<(typeof ackSchemas)[E]>, AckOf<E>> };
/** Fails to compile when a schema here and its type in events.ts disagree (or an event lacks a schema). */
export const serverSchemasMatchTypes: [AllTrue<ServerChecks>, AllTrue<AckChecks>] = [true, true];
