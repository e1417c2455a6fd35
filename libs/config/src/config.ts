import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { envSchema } from './env-schema.js';
import type { RendezvousConfig } from './rendezvous-config.js';

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
    mode: e.REDIS_URL || e.REDIS_CLUSTER_NODES.length > 0 ? 'cluster' : 'standalone',
    server: {
      nodeEnv: e.NODE_ENV,
      host: e.HOST,
      port: e.PORT,
      listenBacklog: e.LISTEN_BACKLOG,
      trustedProxies: e.TRUSTED_PROXIES,
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      pingIntervalMs: e.WS_HEALTH_CHECK_INTERVAL_MS,
      pingTimeoutMs: e.WS_PING_TIMEOUT_MS,
      transports: e.SOCKET_TRANSPORTS,
      socketIoPath: e.SOCKET_IO_PATH,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      drainReadinessDelayMs: e.DRAIN_READINESS_DELAY_MS,
      reconnectGraceMs: e.RECONNECT_GRACE_MS,
      outboxCap: e.OUTBOX_CAP,
      logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
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
      clusterNodes: e.REDIS_CLUSTER_NODES,
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

/** Where the live state is, for logs and errors: the Redis URL or the cluster's nodes, without passwords. */
export function redisDescription(redis: RendezvousConfig['redis']): string {
  if (redis.clusterNodes.length > 0) return `Redis Cluster at ${redis.clusterNodes.map(redactedUrl).join(',')}`;
  return `Redis at ${redactedUrl(redis.url)}`;
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
