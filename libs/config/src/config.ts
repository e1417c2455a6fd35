import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
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

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(8080),
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
    REDIS_KEY_PREFIX: z.string().min(1).default('rv:'),
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
    SOCKET_TRANSPORTS: csv.pipe(z.array(z.enum(['websocket', 'polling'])).min(1)).default(['websocket', 'polling']),
    SHUTDOWN_TIMEOUT_MS: int(0).default(10_000),
    DRAIN_READINESS_DELAY_MS: int(0, 600_000).default(0),
    RECONNECT_GRACE_MS: int(0, 600_000).default(15_000),
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

export interface RendezvousConfig {
  mode: 'standalone' | 'cluster';
  server: {
    nodeEnv: 'development' | 'production' | 'test';
    host: string;
    port: number;
    trustedProxies: string[];
    maxPayloadBytes: number;
    pingIntervalMs: number;
    pingTimeoutMs: number;
    transports: ('websocket' | 'polling')[];
    shutdownTimeoutMs: number;
    /** On SIGTERM, how long the replica reports not-ready before it tells its clients to leave. */
    drainReadinessDelayMs: number;
    /** How long a drained replica's sessions (and their flights) wait for their clients elsewhere (0: not at all). */
    reconnectGraceMs: number;
    logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
    /** Key for GET /logs?key= (null: the endpoint does not exist). */
    logAccessKey: string | null;
    /** Log lines kept in memory for GET /logs. */
    logBufferSize: number;
    /** The scheduler's own port for /health and /metrics (0: none). */
    schedulerPort: number;
  };
  /** AUTH_MODE=jwt: a token in the handshake's `auth.token`, checked before the socket connects. */
  auth: {
    secret: string | null;
    publicKey: string | null;
    audience: string | null;
    issuer: string | null;
  } | null;
  limits: {
    /** Client events a socket may send per second, sustained (token bucket refill). */
    eventsPerSecond: number;
    /** Events a socket may send at once above the sustained rate (bucket size). */
    burst: number;
    /** Events refused within 10 s after which a socket is disconnected (sustained abuse). */
    maxDrops: number;
    /** Open sockets one client address may hold, cluster-wide. */
    connectionsPerIp: number;
    /** Flight invitations one socket may send per minute. */
    invitesPerMinute: number;
    /** Flight invitations one client address may send per minute, cluster-wide. */
    invitesPerMinutePerAddress: number;
    /** Flight invitations one session may receive per minute, cluster-wide. */
    invitesReceivedPerMinute: number;
    /** Failed joins (flight and room codes, participant ids, room passwords) per address per minute before a lockout. */
    failedJoinsPerMinute: number;
    /** The first lockout; each further one within a day doubles, up to `lockoutMaxSeconds`. */
    lockoutSeconds: number;
    lockoutMaxSeconds: number;
    /** Wrong passwords for one multiparty room per minute, from anyone, before its password checks pause. */
    roomPasswordFailuresPerMinute: number;
    /** Password checks (scrypt) running at once on a replica, and how many may wait for one. */
    passwordCheckConcurrency: number;
    passwordCheckQueue: number;
    /** HTTP API requests per address per minute, cluster-wide. */
    httpRequestsPerMinute: number;
    /** Transfer rooms and new multiparty rooms one address may create per hour. */
    roomsCreatedPerHour: number;
    turnCredentialsPerMinute: number;
    uploadsPerHour: number;
    uploadBytesPerHour: number;
    /** Bytes all stored previews may take together. */
    previewDiskBudgetBytes: number;
    /** Time a new connection has to finish the Socket.IO handshake (CONNECT) before it is closed. */
    handshakeTimeoutMs: number;
    /** Time a client has to send an HTTP request's headers, and its whole request. */
    httpHeadersTimeoutMs: number;
    httpRequestTimeoutMs: number;
  };
  redis: {
    /** Sensitive: may carry a password. Never log it; use `redactedUrl`. */
    url: string | null;
    keyPrefix: string;
    adapter: 'sharded' | 'classic';
    connectTimeoutMs: number;
  };
  cluster: {
    replicaId: string;
    heartbeatMs: number;
    replicaTimeoutMs: number;
  };
  flights: { ttlMs: number };
  presence: { listLimit: number };
  database: {
    /** Sensitive: may carry a password. */
    url: string;
  };
  rooms: {
    ttlMs: number;
    /** Members of one multiparty room at most, whatever the room's own guest limit. */
    maxMembers: number;
    /** How often room expiry runs (ROOM_CLEANUP_INTERVAL_MINUTES). */
    cleanupIntervalMs: number;
    /** A multiparty room nobody has used for this long is deleted once it is empty. */
    inactivityMs: number;
  };
  previews: {
    /** Where local-disk previews are kept. */
    dir: string;
    maxBytes: number;
    allowedExtensions: string[];
    /** Base of the URLs handed out for stored files; the request's own origin when unset. */
    publicUrl: string | null;
    retentionMs: number;
    cleanupIntervalMs: number;
    /** PREVIEW_STORAGE: UploadThing when UPLOADTHING_TOKEN is set, local disk otherwise. */
    storage: 'local' | 'uploadthing';
    uploadThing: { token: string; apiUrl: string; ingestUrl: string | null } | null;
  };
  ice: {
    /** ICE_SERVERS_JSON, verbatim. */
    servers: IceServerConfig[];
    stunUrls: string[];
    /** TURN_URL with static credentials. */
    staticTurn: { urls: string[]; username: string; credential: string } | null;
    /** TURN REST (coturn use-auth-secret): credentials minted per session. `secret` is sensitive. */
    turnRest: { secret: string; urls: string[]; ttlSeconds: number } | null;
    /** Cloudflare TURN: `apiToken` is sensitive. */
    cloudflare: { tokenId: string; apiToken: string; apiUrl: string; ttlSeconds: number; timeoutMs: number } | null;
  };
  origins: {
    /** Exact origins allowed (ALLOWED_ORIGINS), plus localhost/127.0.0.1 on --allow-local-port. */
    allowed: string[];
    /** ALLOWED_ORIGIN_REGEX (or DropSilk's VERCEL_PREVIEW_ORIGIN_REGEX). */
    pattern: string | null;
  };
}

/** Every environment variable the configuration reads (documented in README.md and docs/DEPLOYMENT.md). */
export const CONFIG_VARIABLES: readonly string[] = [
  ...Object.keys(envSchema.shape),
  'VERCEL_PREVIEW_ORIGIN_REGEX',
  'QUIBBLE_ICE_SERVERS_JSON',
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function defaultReplicaId(): string {
  return `${hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Validates the environment once; every problem names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): RendezvousConfig {
  const localPortArg = argv.find((arg) => arg.startsWith('--allow-local-port='));
  const localPort = localPortArg ? Number(localPortArg.split('=')[1]) : null;
  if (localPort !== null && !(Number.isInteger(localPort) && localPort > 0 && localPort < 65536)) {
    throw new ConfigError(['--allow-local-port: must be a port number (1-65535)']);
  }
  // `VAR=` (docker-compose's `${VAR:-}`, an empty Kubernetes Secret key) means unset, not an empty value.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')) as NodeJS.ProcessEnv;
  const parsed = envSchema.safeParse({
    ...set,
    ALLOWED_ORIGIN_REGEX: set.ALLOWED_ORIGIN_REGEX ?? set.VERCEL_PREVIEW_ORIGIN_REGEX,
    ICE_SERVERS_JSON: set.ICE_SERVERS_JSON ?? set.QUIBBLE_ICE_SERVERS_JSON,
  });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    mode: e.REDIS_URL ? 'cluster' : 'standalone',
    server: {
      nodeEnv: e.NODE_ENV,
      host: e.HOST,
      port: e.PORT,
      trustedProxies: e.TRUSTED_PROXIES,
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      pingIntervalMs: e.WS_HEALTH_CHECK_INTERVAL_MS,
      pingTimeoutMs: e.WS_PING_TIMEOUT_MS,
      transports: e.SOCKET_TRANSPORTS,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      drainReadinessDelayMs: e.DRAIN_READINESS_DELAY_MS,
      reconnectGraceMs: e.RECONNECT_GRACE_MS,
      logLevel: e.LOG_LEVEL,
      logAccessKey: e.LOG_ACCESS_KEY ?? null,
      logBufferSize: e.MAX_LOG_BUFFER_SIZE,
      schedulerPort: e.SCHEDULER_PORT,
    },
    auth:
      e.AUTH_MODE === 'jwt'
        ? {
            secret: e.JWT_SECRET ?? null,
            publicKey: e.JWT_PUBLIC_KEY ?? null,
            audience: e.JWT_AUDIENCE ?? null,
            issuer: e.JWT_ISSUER ?? null,
          }
        : null,
    limits: {
      eventsPerSecond: e.RATE_LIMIT_EVENTS_PER_SECOND,
      burst: e.RATE_LIMIT_BURST,
      maxDrops: e.RATE_LIMIT_MAX_DROPS,
      connectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      invitesPerMinute: e.INVITES_PER_MINUTE,
      invitesPerMinutePerAddress: e.INVITES_PER_MINUTE_PER_IP,
      invitesReceivedPerMinute: e.INVITES_RECEIVED_PER_MINUTE,
      failedJoinsPerMinute: e.FAILED_JOINS_PER_MINUTE,
      lockoutSeconds: e.JOIN_LOCKOUT_SECONDS,
      lockoutMaxSeconds: e.JOIN_LOCKOUT_MAX_SECONDS,
      roomPasswordFailuresPerMinute: e.ROOM_PASSWORD_FAILURES_PER_MINUTE,
      passwordCheckConcurrency: e.PASSWORD_CHECK_CONCURRENCY,
      passwordCheckQueue: e.PASSWORD_CHECK_QUEUE,
      httpRequestsPerMinute: e.HTTP_REQUESTS_PER_MINUTE,
      roomsCreatedPerHour: e.ROOMS_CREATED_PER_HOUR,
      turnCredentialsPerMinute: e.TURN_CREDENTIALS_PER_MINUTE,
      uploadsPerHour: e.UPLOADS_PER_HOUR,
      uploadBytesPerHour: e.UPLOAD_BYTES_PER_HOUR,
      previewDiskBudgetBytes: e.PREVIEW_DISK_BUDGET_BYTES,
      handshakeTimeoutMs: e.HANDSHAKE_TIMEOUT_MS,
      httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    },
    redis: {
      url: e.REDIS_URL ?? null,
      keyPrefix: e.REDIS_KEY_PREFIX,
      adapter: e.REDIS_ADAPTER,
      connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
    },
    cluster: {
      replicaId: e.REPLICA_ID ?? defaultReplicaId(),
      heartbeatMs: e.REPLICA_HEARTBEAT_MS,
      replicaTimeoutMs: e.REPLICA_TIMEOUT_MS,
    },
    flights: { ttlMs: e.FLIGHT_TTL_MS },
    presence: { listLimit: e.PRESENCE_LIST_LIMIT },
    database: { url: e.DATABASE_URL },
    rooms: {
      ttlMs: e.ROOM_TTL_MINUTES * 60_000,
      maxMembers: e.ROOM_MAX_MEMBERS,
      cleanupIntervalMs: Math.round(e.ROOM_CLEANUP_INTERVAL_MINUTES * 60_000),
      inactivityMs: Math.round(e.ROOM_INACTIVITY_MINUTES * 60_000),
    },
    previews: {
      dir: e.PREVIEW_DIR,
      maxBytes: e.PREVIEW_MAX_BYTES,
      allowedExtensions: e.PREVIEW_ALLOWED_EXTENSIONS.map((extension) => extension.toLowerCase()),
      publicUrl: e.PUBLIC_SERVER_URL?.replace(/\/+$/, '') ?? null,
      retentionMs: Math.round(e.PREVIEW_RETENTION_HOURS * 3_600_000),
      cleanupIntervalMs: Math.round(e.PREVIEW_CLEANUP_INTERVAL_MINUTES * 60_000),
      storage: e.PREVIEW_STORAGE ?? (e.UPLOADTHING_TOKEN ? 'uploadthing' : 'local'),
      uploadThing: e.UPLOADTHING_TOKEN
        ? { token: e.UPLOADTHING_TOKEN, apiUrl: e.UPLOADTHING_API_URL, ingestUrl: e.UPLOADTHING_INGEST_URL ?? null }
        : null,
    },
    ice: {
      servers: e.ICE_SERVERS_JSON,
      stunUrls: e.STUN_URLS,
      staticTurn:
        e.TURN_URL.length && e.TURN_USERNAME && e.TURN_CREDENTIAL
          ? { urls: e.TURN_URL, username: e.TURN_USERNAME, credential: e.TURN_CREDENTIAL }
          : null,
      turnRest: e.TURN_SECRET ? { secret: e.TURN_SECRET, urls: e.TURN_URLS, ttlSeconds: e.TURN_TTL_SECONDS } : null,
      cloudflare:
        e.CLOUDFLARE_TURN_TOKEN_ID && e.CLOUDFLARE_API_TOKEN
          ? {
              tokenId: e.CLOUDFLARE_TURN_TOKEN_ID,
              apiToken: e.CLOUDFLARE_API_TOKEN,
              apiUrl: e.CLOUDFLARE_TURN_API_URL.replace(/\/+$/, ''),
              ttlSeconds: e.CLOUDFLARE_TURN_TTL_SECONDS,
              timeoutMs: e.CLOUDFLARE_TURN_TIMEOUT_MS,
            }
          : null,
    },
    origins: {
      allowed: [
        ...e.ALLOWED_ORIGINS,
        ...(localPort ? [`http://localhost:${localPort}`, `http://127.0.0.1:${localPort}`] : []),
      ],
      pattern: e.ALLOWED_ORIGIN_REGEX ?? null,
    },
  };
}

/** A connection URL (Redis, database) with any password replaced, for logs and errors. */
export function redactedUrl(url: string | null): string {
  if (!url) return '(none)';
  if (url.startsWith('file:')) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable)';
  }
}

/** For an entrypoint: the configuration, or the process ends with the problems and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit(): RendezvousConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
