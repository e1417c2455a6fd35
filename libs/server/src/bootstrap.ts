import type { INestApplication } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import { OriginPolicy, RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';

/** Application options of the standalone gateway: raw bodies for UploadThing's signed callbacks. */
export const GATEWAY_APP_OPTIONS = { rawBody: true } as const;

/**
 * What the standalone gateway sets on its whole application, which RendezvousModule leaves to an embedding
 * application: CORS for the allowed origins, no X-Powered-By, and HTTP timeouts for slow clients.
 */
export function configureGateway(app: INestApplication): RendezvousConfig {
  const config = app.get<RendezvousConfig>(RENDEZVOUS_CONFIG);
  const origins = new OriginPolicy(config);
  // Requests without an Origin are not cross-origin; browsers get CORS headers only for allowed origins.
  app.enableCors({
    origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
      callback(null, origin !== undefined && origins.isAllowed(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type'],
    maxAge: 600,
  });
  const http = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  http.disable?.('x-powered-by');
  limitSlowClients(app.getHttpServer() as HttpServer, config);
  return config;
}

/**
 * A client that sends its headers (or its request) slowly holds a connection: HTTP_HEADERS_TIMEOUT_MS and
 * HTTP_REQUEST_TIMEOUT_MS end it with 408, checked every second rather than Node's default 30 s. Upgraded
 * WebSockets are not requests any more and are not affected.
 */
function limitSlowClients(server: HttpServer, config: RendezvousConfig): void {
  server.headersTimeout = config.limits.httpHeadersTimeoutMs;
  server.requestTimeout = Math.max(config.limits.httpRequestTimeoutMs, config.limits.httpHeadersTimeoutMs);
  // Read when the server starts listening.
  (server as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1_000;
}
