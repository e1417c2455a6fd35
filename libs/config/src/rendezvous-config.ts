import type { IceServerConfig } from './env-schema.js';

/** The validated configuration, grouped by concern; built once by loadConfig. */
export interface RendezvousConfig {
  mode: 'standalone' | 'cluster';
  server: {
    nodeEnv: 'development' | 'production' | 'test';
    host: string;
    port: number;
    /** Completed TCP handshakes the kernel queues for accept (capped by net.core.somaxconn). */
    listenBacklog: number;
    trustedProxies: string[];
    maxPayloadBytes: number;
    pingIntervalMs: number;
    pingTimeoutMs: number;
    transports: ('websocket' | 'polling')[];
    /** Where Socket.IO answers (its handshake, polling requests and upgrades). */
    socketIoPath: string;
    shutdownTimeoutMs: number;
    /** On SIGTERM, how long the replica reports not-ready before it tells its clients to leave. */
    drainReadinessDelayMs: number;
    /** How long a drained replica's sessions (and their flights) wait for their clients elsewhere (0: not at all). */
    reconnectGraceMs: number;
    /** Messages kept per session that no replica can deliver to right now (parked, or its replica silent). */
    outboxCap: number;
    /** `json` lines (production, log collectors) or `pretty` lines for a terminal. */
    logFormat: 'json' | 'pretty';
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
    /** Redis Cluster startup nodes (REDIS_CLUSTER_NODES), empty for one Redis. Sensitive like `url`. */
    clusterNodes: string[];
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
