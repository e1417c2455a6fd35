import type { RendezvousConfig } from '@rendezvous/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pretty from 'pino-pretty';
import pino, { type DestinationStream, type Level } from 'pino';
import type { LogRingBuffer } from './log-ring-buffer.js';
import { RefusalDigest } from './refusal-digest.js';

const PINO_LEVELS: Record<RendezvousConfig['server']['logLevel'], Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export const REDACTED = '[redacted]';

/** Fields that may carry credentials wherever they are logged (pino redaction, applied before any output). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-uploadthing-api-key"]',
  'req.headers["x-uploadthing-signature"]',
  'res.headers["set-cookie"]',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
];

/**
 * Query parameters whose values never reach a log line (the /logs access key itself, a transfer-room participant
 * id, which is its holder's credential), `key[x]` included.
 */
const SECRET_PARAMETER_NAME = /^(?:key|token|access_token|secret|password|participantId)(?:\[|%5B|$)/i;
const SECRET_QUERY_PARAMETERS = /([?&])([^=&#]*)=([^&#]*)/g;
/** Path segments that are credentials: `/api/rooms/:code/participants/:participantId/...`. */
const SECRET_PATH_SEGMENT = /(\/participants\/)[^/?#]+/gi;

export function censorUrl(url: string): string {
  return url
    .replace(SECRET_PATH_SEGMENT, `$1${REDACTED}`)
    .replace(SECRET_QUERY_PARAMETERS, (parameter: string, separator: string, name: string) =>
      SECRET_PARAMETER_NAME.test(name) ? `${separator}${name}=${REDACTED}` : parameter,
    );
}

/** A copy of a parsed query with the values of secret parameters replaced. */
export function censorQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, SECRET_PARAMETER_NAME.test(name) ? REDACTED : value]),
  );
}

/** Probes and scrapes arrive every few seconds and would push everything else out of the ring buffer. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/** Lines go to stdout (for the platform's log collector) and to the ring buffer served at /logs. */
class TeeDestination implements DestinationStream {
  constructor(
    private readonly stdout: DestinationStream,
    private readonly buffer: LogRingBuffer,
  ) {}

  write(line: string): void {
    this.stdout.write(line);
    this.buffer.write(line);
  }
}

/** What a person reads in a terminal (LOG_FORMAT=pretty, the default with NODE_ENV=development). */
function prettyStdout(): DestinationStream {
  return pretty({
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,app,replica',
    messageKey: 'msg',
    sync: true,
  });
}

/**
 * One JSON object per line: level as a word, ISO time, the app and replica on every line, secrets redacted. With
 * LOG_FORMAT=pretty the terminal gets readable lines instead; /logs keeps the JSON lines either way.
 */
export function loggerParams(config: RendezvousConfig, app: string, buffer: LogRingBuffer): Params {
  const stdout = config.server.logFormat === 'pretty' ? prettyStdout() : pino.destination({ dest: 1, sync: true });
  const destination = new TeeDestination(stdout, buffer);
  const refusals = new RefusalDigest();
  return {
    pinoHttp: [
      {
        level: PINO_LEVELS[config.server.logLevel],
        base: { app, replica: config.cluster.replicaId, pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACTED_PATHS, censor: REDACTED },
        autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(request.url ?? '') },
        // 501 is "not configured" (TURN, UploadThing) and 507 a full preview budget, not faults; refusals (4xx) are
        // counted, not logged one by one.
        customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) => {
          const status = response.statusCode;
          if (status === 501) return 'info';
          if (status === 507) return 'warn';
          if (error || status >= 500) return 'error';
          if (status < 400) return 'info';
          refusals.count(status);
          return 'debug';
        },
        serializers: {
          // `request` is pino's serialized copy; its `query` is Express's object, so that one is replaced, not edited.
          // `params` repeats the path (and a middleware's wildcard splits it into segments): the censored url says it.
          req: (request: { url?: string; query?: unknown; params?: unknown }) => {
            if (request.url) request.url = censorUrl(request.url);
            if (request.query) request.query = censorQuery(request.query);
            delete request.params;
            return request;
          },
        },
      },
      destination,
    ],
  };
}
