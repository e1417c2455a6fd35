import type { INestApplication } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections, RendezvousIoAdapter } from '@rendezvous/cluster';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { originAllowed } from './common/origin-policy.js';

/** Application options shared by main.ts and the e2e tests: raw bodies for UploadThing's signed callbacks. */
export const GATEWAY_APP_OPTIONS = { rawBody: true } as const;

/** Wiring shared by main.ts and the e2e tests, so tests run the production adapter. */
export function configureGateway(app: INestApplication): RendezvousConfig {
  const config = app.get<RendezvousConfig>(RENDEZVOUS_CONFIG);
  const redis = app.get<RedisConnections | null>(REDIS_CONNECTIONS);
  app.useWebSocketAdapter(new RendezvousIoAdapter(app, config, redis));
  // Requests without an Origin are not cross-origin; browsers get CORS headers only for allowed origins.
  app.enableCors({
    origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
      callback(null, origin !== undefined && originAllowed(config, origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type'],
    maxAge: 600,
  });
  const http = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  http.disable?.('x-powered-by');
  return config;
}
