// The OpenAPI 3.1 document of the HTTP API (docs/openapi.yaml, `npm run docs:openapi`): request schemas are the
// ones the routes validate with; response schemas are written here from the handlers' shapes, and a test checks
// real responses against them and every route Nest maps against the document.
import { transferRoomSchemas } from '../libs/server/src/rooms/transfer-room.schemas.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { repoRoot } from '../test/support/ports.js';

type JsonSchema = Record<string, unknown>;

const schema = (type: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
};

// Nest's own 403/404 bodies carry `message` and `statusCode` beside `error`.
const error = z.looseObject({ error: z.string() });
const participant = z.object({
  participantId: z.string(),
  role: z.enum(['host', 'guest']),
  name: z.string(),
  ready: z.boolean(),
  fileCount: z.number(),
  totalBytes: z.number(),
});
/** DropSilk's RoomSummary: the room as one participant sees it. */
export const roomSummary = z.object({
  roomCode: z.string(),
  status: z.enum(['waiting', 'paired', 'ready']),
  shouldConnect: z.boolean(),
  expiresAt: z.string(),
  self: participant,
  peer: participant.nullable(),
  screenShare: z.object({
    activeParticipantId: z.string().nullable(),
    requestedBySelf: z.boolean(),
    requestedByPeer: z.boolean(),
    isActive: z.boolean(),
  }),
  chat: z.object({ requestedBySelf: z.boolean(), requestedByPeer: z.boolean(), isActive: z.boolean() }),
});
const memory = z.object({ rss: z.number(), heapTotal: z.number(), heapUsed: z.number(), external: z.number() });
const seedRoom = z.object({
  roomId: z.string(),
  participantCount: z.number().int(),
  participants: z.array(z.object({ id: z.string(), name: z.string(), joinedAt: z.number().nullable() })),
});

/** Response bodies by name (components.schemas), checked against real responses by test/docs/openapi.spec.ts. */
export const responseSchemas = {
  Liveness: z.object({ status: z.literal('ok') }),
  Readiness: z.object({
    status: z.enum(['ready', 'not-ready']),
    mode: z.enum(['standalone', 'cluster']),
    checks: z.record(z.string(), z.string()),
  }),
  Stats: z.object({
    activeConnections: z.number().int(),
    activeFlights: z.number().int(),
    memory,
    timestamp: z.string(),
    uptime: z.number(),
    mode: z.enum(['standalone', 'cluster']),
    replica: z.object({ id: z.string(), activeConnections: z.number().int(), activeFlights: z.number().int() }),
    cluster: z.object({
      activeConnections: z.number().int(),
      activeFlights: z.number().int(),
      activeRooms: z.number().int(),
      activeCalls: z.number().int(),
      /** The live replicas, by heartbeat. */
      replicas: z.array(z.object({ id: z.string(), sessions: z.number().int(), lastHeartbeat: z.number() })),
    }),
  }),
  Status: z.object({
    status: z.enum(['operational', 'degraded']),
    version: z.string(),
    uptime: z.number(),
    uptimeFormatted: z.string(),
    timestamp: z.string(),
    services: z.object({
      websocket: z.object({ status: z.string(), activeConnections: z.number().int() }),
      signaling: z.object({ status: z.string(), activeFlights: z.number().int() }),
      turn: z.object({ status: z.enum(['operational', 'not_configured']) }),
    }),
    stats: z.object({
      totalConnections: z.number(),
      totalDisconnections: z.number(),
      totalFlightsCreated: z.number(),
      totalFlightsJoined: z.number(),
    }),
    memory: z.object({ heapUsedMB: z.number(), heapTotalMB: z.number(), rssMB: z.number() }),
    replica: z.string(),
  }),
  SeedHealth: z.object({
    status: z.literal('ok'),
    rooms: z.number().int(),
    connections: z.number().int(),
    roomDetails: z.array(seedRoom),
    timestamp: z.string(),
  }),
  SeedRooms: z.object({ rooms: z.array(seedRoom) }),
  PublicRooms: z.object({
    rooms: z.array(z.object({ id: z.string(), name: z.string(), members: z.number().int(), locked: z.boolean() })),
  }),
  RoomSummary: roomSummary,
  IceServers: z.object({
    iceServers: z.array(
      z.object({
        urls: z.union([z.string(), z.array(z.string())]),
        username: z.string().optional(),
        credential: z.string().optional(),
      }),
    ),
  }),
  Upload: z.object({ key: z.string(), url: z.string(), name: z.string(), size: z.number().int() }),
  Error: error,
  ValidationError: z.object({ error: z.literal('Invalid request'), issues: z.array(z.string()) }),
} as const;
type Named = keyof typeof responseSchemas;

const json = (name: Named) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
});
const text = (example: string) => ({ content: { 'text/plain': { schema: { type: 'string' }, example } } });
const reply = (description: string, body?: { content: Record<string, unknown> }) => ({ description, ...(body ?? {}) });
const roomErrors = {
  '400': reply('Invalid request (DropSilk `{ error, issues }`)', json('ValidationError')),
  '404': reply('No such room or participant', json('Error')),
  '429': reply('Too many requests or misses from this address (Retry-After)', json('Error')),
};
const codeParam = {
  name: 'code',
  in: 'path',
  required: true,
  schema: schema(transferRoomSchemas.code.shape.code, 'input'),
};
const participantParam = {
  name: 'participantId',
  in: 'path',
  required: true,
  schema: schema(transferRoomSchemas.participant.shape.participantId, 'input'),
};
const body = (type: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: schema(type, 'input') } },
});
const toggle = (what: string) => ({
  post: {
    tags: ['transfer rooms'],
    summary: `Ask for, or stop, ${what} in the room`,
    parameters: [codeParam, participantParam],
    requestBody: body(transferRoomSchemas.toggleBody),
    responses: { '200': reply('The room as the participant sees it', json('RoomSummary')), ...roomErrors },
  },
});

const file = (type: string) => ({ description: 'The file', content: { [type]: { schema: { type: 'string' } } } });
const get = (tag: string, summary: string, responses: Record<string, unknown>) => ({
  get: { tags: [tag], summary, responses },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  const { version } = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  const paths: Record<string, unknown> = {
    '/': get('status', 'A plain-text greeting (DropSilk)', {
      '200': reply('Alive', text('Server is alive and waiting for WebSocket connections.')),
    }),
    '/keep-alive': get('status', 'Keep-alive ping (DropSilk)', { '200': reply('OK', text('OK')) }),
    '/stats': get('status', 'Connections, flights, rooms and calls: this replica and the cluster', {
      '200': reply('Figures', json('Stats')),
      '503': reply('The live state does not answer', json('Error')),
    }),
    '/api/status': get('status', "DropSilk's status document (cluster-wide figures)", {
      '200': reply('Status', json('Status')),
    }),
    '/health/live': get('health', 'Liveness: the process answers (checks nothing external)', {
      '200': reply('Alive', json('Liveness')),
    }),
    '/health/ready': get('health', 'Readiness: database and (in a cluster) Redis answer, not draining', {
      '200': reply('Ready', json('Readiness')),
      '503': reply('Not ready (a dependency is down, or the replica drains)', json('Readiness')),
    }),
    '/health': get('status', "Seed 004's health page: multiparty rooms with their members", {
      '200': reply('Rooms', json('SeedHealth')),
    }),
    '/rooms': get('rooms', "Seed 004's room list", { '200': reply('Rooms', json('SeedRooms')) }),
    '/metrics': get('status', 'Prometheus metrics (text exposition format)', {
      '200': reply('Metrics', text('# HELP rendezvous_clients ...')),
    }),
    '/logs': {
      get: {
        tags: ['status'],
        summary: 'The last log lines (JSON lines; only with LOG_ACCESS_KEY, given as the `key` query parameter)',
        parameters: [{ name: 'key', in: 'query', required: true, schema: { type: 'string' } }],
        responses: {
          '200': reply('Log lines', text('{"level":"info",...}')),
          '403': reply('Wrong key', json('Error')),
          '404': reply('LOG_ACCESS_KEY is not set', json('Error')),
        },
      },
    },
    '/api/turn-credentials': get('ice', 'Short-lived Cloudflare TURN credentials', {
      '200': reply('ICE servers', json('IceServers')),
      '429': reply('Too many requests from this address', json('Error')),
      '500': reply('Cloudflare did not answer', json('Error')),
      '501': reply('Cloudflare TURN is not configured', json('Error')),
    }),
    '/api/rooms/public': get('rooms', 'Public multiparty rooms', { '200': reply('Rooms', json('PublicRooms')) }),
    '/api/rooms': {
      post: {
        tags: ['transfer rooms'],
        summary: 'Create a transfer room; the creator is its host',
        requestBody: body(transferRoomSchemas.nameBody),
        responses: { '201': reply('The room as the host sees it', json('RoomSummary')), ...roomErrors },
      },
    },
    '/api/rooms/{code}': {
      get: {
        tags: ['transfer rooms'],
        summary: 'The room as one of its participants sees it',
        parameters: [
          codeParam,
          {
            name: 'participantId',
            in: 'query',
            required: true,
            schema: { type: 'string', minLength: 1, maxLength: 64 },
          },
        ],
        responses: { '200': reply('The room', json('RoomSummary')), ...roomErrors },
      },
    },
    '/api/rooms/{code}/join': {
      post: {
        tags: ['transfer rooms'],
        summary: 'Join a room as its guest',
        parameters: [codeParam],
        requestBody: body(transferRoomSchemas.nameBody),
        responses: {
          '200': reply('The room as the guest sees it', json('RoomSummary')),
          ...roomErrors,
          '409': reply('The room already has a guest', json('Error')),
        },
      },
    },
    '/api/rooms/{code}/participants/{participantId}/ready': {
      post: {
        tags: ['transfer rooms'],
        summary: 'Mark the participant ready with what it will send',
        parameters: [codeParam, participantParam],
        requestBody: body(transferRoomSchemas.readyBody),
        responses: { '200': reply('The room as the participant sees it', json('RoomSummary')), ...roomErrors },
      },
    },
    '/api/rooms/{code}/participants/{participantId}/screen-share': toggle('screen sharing'),
    '/api/rooms/{code}/participants/{participantId}/chat': toggle('the chat channel'),
    '/api/uploads': {
      post: {
        tags: ['uploads'],
        summary: 'Upload a file preview (multipart/form-data, field `file`)',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { file: { type: 'string', format: 'binary' } },
                required: ['file'],
              },
            },
          },
        },
        responses: {
          '201': reply('Stored', json('Upload')),
          '400': reply('No file, or a type not allowed', json('Error')),
          '413': reply('Larger than PREVIEW_MAX_BYTES', json('Error')),
          '429': reply('Upload quota of this address reached', json('Error')),
          '507': reply('Preview storage is full', json('Error')),
        },
      },
    },
    '/previews/{key}': {
      get: {
        tags: ['uploads'],
        summary: 'A stored preview (local storage)',
        parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The file',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          '404': reply('No such preview', json('Error')),
        },
      },
    },
    '/api/uploadthing': {
      get: {
        tags: ['uploads'],
        summary: "UploadThing's route handler (its SDK's protocol)",
        responses: { '200': reply('UploadThing') },
      },
      post: {
        tags: ['uploads'],
        summary: "UploadThing's route handler: uploads and its signed callbacks",
        responses: { '200': reply('UploadThing'), '501': reply('UploadThing is not configured', json('Error')) },
      },
    },
    '/demo': get('demo', 'The demo page', { '200': file('text/html') }),
    '/demo/demo.js': get('demo', "The demo page's script", { '200': file('text/javascript') }),
    '/demo/demo.css': get('demo', "The demo page's style", { '200': file('text/css') }),
    '/demo/client/{module}': {
      get: {
        tags: ['demo'],
        summary: "A module of the client library, compiled (the demo page's imports)",
        parameters: [
          { name: 'module', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z-]*\\.js$' } },
        ],
        responses: { '200': file('text/javascript'), '404': reply('No such module') },
      },
    },
    '/demo/vendor/socket.io.esm.min.js': get('demo', "socket.io-client's browser build", {
      '200': file('text/javascript'),
    }),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rendezvous HTTP API',
      version,
      description:
        'Status, health, transfer rooms (DropSilk), multiparty room lists, TURN credentials and uploads. Signaling ' +
        'itself is Socket.IO (docs/asyncapi.yaml) or plain WebSockets (docs/PROTOCOL.md). Under RendezvousModule ' +
        'every path is below its `http.prefix`. Generated by `npm run docs:openapi`; do not edit by hand.',
      license: { name: 'GPL-3.0-only', identifier: 'GPL-3.0-only' },
    },
    servers: [{ url: 'http://localhost:8080', description: 'A standalone gateway' }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(responseSchemas).map(([name, type]) => [name, schema(type)])),
    },
  };
}

export const OPENAPI_PATH = 'docs/openapi.yaml';

export function renderOpenApiDocument(): string {
  return `# Generated by \`npm run docs:openapi\`; do not edit by hand.\n${stringify(buildOpenApiDocument(), { lineWidth: 0 })}`;
}
