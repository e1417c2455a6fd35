import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import { loadConfig, type RendezvousConfig } from '@rendezvous/config';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Any part of the configuration (docs/DEPLOYMENT.md lists the variables each field comes from). */
export type RendezvousConfigOverrides = DeepPartial<RendezvousConfig>;

/** What `RendezvousModule.forRoot` (or `forRootAsync`'s factory) is given. */
export interface RendezvousModuleOptions {
  /**
   * Environment variables to start from (`process.env` to configure the module as the standalone gateway is), or
   * none: every setting then has its documented default, changed only through `config`.
   */
  environment?: NodeJS.ProcessEnv;
  /** Settings over the environment's (or the defaults): `{ redis: { url: 'redis://…' }, rooms: { ttlMs: … } }`. */
  config?: RendezvousConfigOverrides;
}

/**
 * The module's shape: where it attaches and what it adds to the application, fixed when the application's module
 * graph is built (so not from an async factory, and kept when a test replaces the configuration).
 */
export interface RendezvousModuleShape {
  /** Socket.IO's path on the application's HTTP server; default SOCKET_IO_PATH's (`/socket.io`). */
  socketIoPath?: string;
  /**
   * Let DropSilk, Camus and seed-004 clients connect over plain WebSockets: Rendezvous then takes every WebSocket
   * upgrade outside the Socket.IO path. Default false (the standalone gateway turns it on).
   */
  plainWebSockets?: boolean;
  /**
   * The HTTP API (rooms, uploads, TURN credentials, status, health, metrics, demo): under `prefix` (default: at
   * the root), or `false` to leave every route out (the Socket.IO signaling works without it).
   */
  http?: { prefix?: string } | false;
  /**
   * `application` (default): Rendezvous logs through the application's Nest logger. `json`: Rendezvous installs
   * its own JSON-lines logger (nestjs-pino, request logs, `/logs`), as the standalone gateway does.
   */
  logging?: 'application' | 'json';
}

export interface RendezvousModuleAsyncOptions extends RendezvousModuleShape {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => RendezvousModuleOptions | Promise<RendezvousModuleOptions>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** `overrides` laid over `base`, object by object (arrays and other values replace). */
export function mergeOverrides<T>(base: T, overrides: DeepPartial<T> | undefined): T {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return (overrides ?? base) as T;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    result[key] = isPlainObject(result[key]) && isPlainObject(value) ? mergeOverrides(result[key], value) : value;
  }
  return result as T;
}

/**
 * The configuration of an embedded Rendezvous: the environment given (validated as the gateway's is, with the
 * same messages) or the defaults, then `config` over it. `mode` follows the Redis settings unless given.
 */
export function resolveModuleConfig(options: RendezvousModuleOptions = {}): RendezvousConfig {
  const base = loadConfig(options.environment ?? {}, []);
  const config = mergeOverrides<RendezvousConfig>(base, options.config);
  if (options.config?.mode === undefined) {
    config.mode = config.redis.url || config.redis.clusterNodes.length > 0 ? 'cluster' : 'standalone';
  }
  return config;
}

export const RENDEZVOUS_SHAPE = Symbol('RendezvousModuleShape');

/** Where Socket.IO answers: the module's `socketIoPath`, else SOCKET_IO_PATH. */
export function socketIoPathOf(shape: RendezvousModuleShape, config: RendezvousConfig): string {
  return (shape.socketIoPath ?? config.server.socketIoPath).replace(/\/+$/, '') || '/socket.io';
}
