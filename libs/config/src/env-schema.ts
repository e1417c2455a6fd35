import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const iceUrl = (schemes: string[]) =>
  z.string().refine((url) => schemes.some((scheme) => url.startsWith(`${scheme}:`)) && !/\s/.test(url), {
    message: `must be a ${schemes.map((scheme) => `${scheme}:`).join(' or ')} URL`,
  });
const anyIceUrl = iceUrl(['stun', 'stuns', 'turn', 'turns']);

/** An RTCIceServer as browsers take it. */
export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

const iceServerSchema = z.object({
  urls: z.union([anyIceUrl, z.array(anyIceUrl).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** UPLOADTHING_TOKEN: base64 JSON `{apiKey, appId, regions}` as UploadThing's dashboard issues it. */
const uploadThingToken = z
  .string()
  .optional()
  .refine((value) => {
    if (value === undefined) return true;
    try {
      const token = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
      return typeof token.apiKey === 'string' && typeof token.appId === 'string' && Array.isArray(token.regions);
    } catch {
      return false;
    }
  }, 'must be the base64 token from the UploadThing dashboard ({apiKey, appId, regions})');

/** ICE_SERVERS_JSON: a JSON array of RTCIceServer objects, used verbatim. */
const iceServersJson = z
  .string()
  .optional()
  .transform((value, context): IceServerConfig[] => {
    if (!value?.trim()) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is not valid JSON (${(error as Error).message})` });
      return z.NEVER;
    }
    const result = z.array(iceServerSchema).safeParse(parsed);
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`);
    context.addIssue({
      code: 'custom',
      message: `must be a JSON array of {urls, username?, credential?} (${problems.join('; ')})`,
    });
    return z.NEVER;
  });

/** Every variable, its default and its check; `loadConfig` turns the result into a RendezvousConfig. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(8080),
    LISTEN_BACKLOG: int(1, 65535).default(4096),
    SCHEDULER_PORT: int(0, 65535).default(8081),
    AUTH_MODE: z.enum(['none', 'jwt']).default('none'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)').optional(),
    JWT_PUBLIC_KEY: z
      .string()
      .includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM public key' })
      .optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    MAX_CONNECTIONS_PER_IP: int(1).default(100),
    INVITES_PER_MINUTE: int(1).default(10),
    INVITES_PER_MINUTE_PER_IP: int(1).default(30),
    INVITES_RECEIVED_PER_MINUTE: int(1).default(10),
    FAILED_JOINS_PER_MINUTE: int(1).default(20),
    JOIN_LOCKOUT_SECONDS: int(1, 86_400).default(30),
    JOIN_LOCKOUT_MAX_SECONDS: int(1, 86_400).default(900),
    ROOM_PASSWORD_FAILURES_PER_MINUTE: int(1).default(10),
    PASSWORD_CHECK_CONCURRENCY: int(1, 64).default(2),
    PASSWORD_CHECK_QUEUE: int(0, 10_000).default(32),
    HTTP_REQUESTS_PER_MINUTE: int(1).default(600),
    ROOMS_CREATED_PER_HOUR: int(1).default(60),
    TURN_CREDENTIALS_PER_MINUTE: int(1).default(30),
    UPLOADS_PER_HOUR: int(1).default(20),
    UPLOAD_BYTES_PER_HOUR: int(1).default(256 * 1024 * 1024),
    PREVIEW_DISK_BUDGET_BYTES: int(1).default(10 * 1024 * 1024 * 1024),
    HANDSHAKE_TIMEOUT_MS: int(500, 60_000).default(5_000),
    HTTP_HEADERS_TIMEOUT_MS: int(1_000, 600_000).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: int(1_000, 3_600_000).default(120_000),
    RATE_LIMIT_EVENTS_PER_SECOND: int(1).default(50),
    RATE_LIMIT_BURST: int(1).default(100),
    RATE_LIMIT_MAX_DROPS: int(1).default(200),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    REDIS_CLUSTER_NODES: csv.pipe(
      z.array(z.string().regex(/^rediss?:\/\/[^\s,]+$/, 'each node must start with redis:// or rediss://')),
    ),
    // Braces would change which part of a key Redis Cluster hashes (its hash tags).
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[^{}\s]{1,64}$/, 'must be 1-64 characters without spaces or braces')
      .default('rv:'),
    REDIS_ADAPTER: z.enum(['sharded', 'classic']).default('sharded'),
    REDIS_CONNECT_TIMEOUT_MS: int(100).default(10_000),
    REPLICA_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'may only contain letters, digits, ".", "_" and "-" (1-64)')
      .optional(),
    REPLICA_HEARTBEAT_MS: int(100).default(2_000),
    REPLICA_TIMEOUT_MS: int(300).default(10_000),
    TRUSTED_PROXIES: csv,
    MAX_PAYLOAD_BYTES: int(256).default(65_536),
    FLIGHT_TTL_MS: int(1_000).default(30 * 60_000),
    PRESENCE_LIST_LIMIT: int(1, 10_000).default(200),
    WS_HEALTH_CHECK_INTERVAL_MS: int(1_000).default(25_000),
    WS_PING_TIMEOUT_MS: int(1_000).default(20_000),
    SOCKET_IO_PATH: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*[^/]$/, 'must be a URL path starting with / (not ending with /)')
      .default('/socket.io'),
    SOCKET_TRANSPORTS: csv.pipe(z.array(z.enum(['websocket', 'polling'])).min(1)).default(['websocket', 'polling']),
    SHUTDOWN_TIMEOUT_MS: int(0).default(10_000),
    DRAIN_READINESS_DELAY_MS: int(0, 600_000).default(0),
    RECONNECT_GRACE_MS: int(0, 600_000).default(15_000),
    OUTBOX_CAP: int(1, 100_000).default(512),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    LOG_ACCESS_KEY: z.string().min(16, 'must be at least 16 characters (it guards the logs)').optional(),
    MAX_LOG_BUFFER_SIZE: int(0, 100_000).default(1_000),
    ROOM_TTL_MINUTES: int(1).default(30),
    ROOM_MAX_MEMBERS: int(2, 10_000).default(100),
    ROOM_CLEANUP_INTERVAL_MINUTES: z.coerce.number().positive().max(1_440).default(5),
    ROOM_INACTIVITY_MINUTES: z.coerce.number().positive().default(60),
    PUBLIC_SERVER_URL: z.url().optional(),
    PREVIEW_DIR: z.string().min(1).default('./data/previews'),
    PREVIEW_MAX_BYTES: int(1).default(64 * 1024 * 1024),
    PREVIEW_ALLOWED_EXTENSIONS: csv
      .pipe(z.array(z.string().regex(/^\.[a-z0-9]{1,10}$/, 'must be extensions like .pptx')).min(1))
      .default(['.pptx']),
    PREVIEW_RETENTION_HOURS: z.coerce.number().positive().default(24),
    PREVIEW_CLEANUP_INTERVAL_MINUTES: z.coerce.number().positive().max(1_440).default(60),
    PREVIEW_STORAGE: z.enum(['local', 'uploadthing']).optional(),
    UPLOADTHING_TOKEN: uploadThingToken,
    UPLOADTHING_API_URL: z.url().default('https://api.uploadthing.com'),
    UPLOADTHING_INGEST_URL: z.url().optional(),
    ALLOWED_ORIGINS: csv,
    ALLOWED_ORIGIN_REGEX: z
      .string()
      .optional()
      .refine((value) => {
        if (!value) return true;
        try {
          new RegExp(value);
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression'),
    ICE_SERVERS_JSON: iceServersJson,
    STUN_URLS: csv.pipe(z.array(iceUrl(['stun', 'stuns']))),
    TURN_URL: csv.pipe(z.array(iceUrl(['turn', 'turns']))),
    TURN_USERNAME: z.string().optional(),
    TURN_CREDENTIAL: z.string().optional(),
    TURN_SECRET: z.string().optional(),
    TURN_URLS: csv.pipe(z.array(iceUrl(['turn', 'turns']))),
    TURN_TTL_SECONDS: int(60, 7 * 86_400).default(86_400),
    CLOUDFLARE_TURN_TOKEN_ID: z.string().optional(),
    CLOUDFLARE_API_TOKEN: z.string().optional(),
    CLOUDFLARE_TURN_API_URL: z.url().default('https://rtc.live.cloudflare.com/v1'),
    CLOUDFLARE_TURN_TTL_SECONDS: int(60, 7 * 86_400).default(3_600),
    CLOUDFLARE_TURN_TIMEOUT_MS: int(100).default(5_000),
    DATABASE_URL: z
      .string()
      .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'must be file:<path> (SQLite) or postgres://… (PostgreSQL)')
      .default('file:./data/rendezvous.db'),
  })
  .refine((env) => env.JOIN_LOCKOUT_MAX_SECONDS >= env.JOIN_LOCKOUT_SECONDS, {
    path: ['JOIN_LOCKOUT_MAX_SECONDS'],
    message: 'must be at least JOIN_LOCKOUT_SECONDS',
  })
  .refine((env) => !(env.REDIS_URL && env.REDIS_CLUSTER_NODES.length > 0), {
    path: ['REDIS_CLUSTER_NODES'],
    message: 'set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (Redis Cluster), not both',
  })
  .refine((env) => env.REPLICA_TIMEOUT_MS >= env.REPLICA_HEARTBEAT_MS * 2, {
    path: ['REPLICA_TIMEOUT_MS'],
    message: 'must be at least twice REPLICA_HEARTBEAT_MS',
  })
  .refine((env) => env.TURN_URL.length === 0 || (env.TURN_USERNAME && env.TURN_CREDENTIAL), {
    path: ['TURN_URL'],
    message: 'needs TURN_USERNAME and TURN_CREDENTIAL (or use TURN_SECRET for time-limited credentials)',
  })
  .refine((env) => !env.TURN_SECRET || env.TURN_URLS.length > 0, {
    path: ['TURN_SECRET'],
    message: 'needs TURN_URLS, the turn: URLs the minted credentials are for',
  })
  .refine((env) => !env.CLOUDFLARE_TURN_TOKEN_ID === !env.CLOUDFLARE_API_TOKEN, {
    path: ['CLOUDFLARE_API_TOKEN'],
    message: 'CLOUDFLARE_TURN_TOKEN_ID and CLOUDFLARE_API_TOKEN are set together or not at all',
  })
  .refine((env) => env.AUTH_MODE !== 'jwt' || env.JWT_SECRET || env.JWT_PUBLIC_KEY, {
    path: ['AUTH_MODE'],
    message: 'jwt needs JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256)',
  })
  .refine((env) => env.PREVIEW_STORAGE !== 'uploadthing' || env.UPLOADTHING_TOKEN, {
    path: ['PREVIEW_STORAGE'],
    message: 'uploadthing needs UPLOADTHING_TOKEN',
  });
