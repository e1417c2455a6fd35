import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedUrl } from './config.js';

describe('loadConfig', () => {
  it('has embedded defaults: standalone on 8080', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('standalone');
    expect(config.server.port).toBe(8080);
    expect(config.server.maxPayloadBytes).toBe(65_536);
    expect(config.cluster.replicaTimeoutMs).toBeLessThanOrEqual(15_000);
    expect(config.cluster.replicaId).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('switches to cluster mode with REDIS_URL', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REPLICA_ID: 'r1',
      TRUSTED_PROXIES: '10.0.0.1, ::1',
    });
    expect(config.mode).toBe('cluster');
    expect(config.cluster.replicaId).toBe('r1');
    expect(config.server.trustedProxies).toEqual(['10.0.0.1', '::1']);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://x',
        MAX_PAYLOAD_BYTES: '-1',
        SOCKET_TRANSPORTS: 'carrier-pigeon',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'REDIS_URL', 'MAX_PAYLOAD_BYTES', 'SOCKET_TRANSPORTS']) expect(message).toContain(name);
  });

  it('refuses a replica timeout shorter than two heartbeats', () => {
    expect(() => loadConfig({ REPLICA_HEARTBEAT_MS: '5000', REPLICA_TIMEOUT_MS: '6000' })).toThrow(
      /REPLICA_TIMEOUT_MS/,
    );
  });

  it('collects allowed origins from ALLOWED_ORIGINS, the regex (or its DropSilk alias) and --allow-local-port', () => {
    const config = loadConfig(
      { ALLOWED_ORIGINS: 'https://a.example, app://.', VERCEL_PREVIEW_ORIGIN_REGEX: '^https://p-[a-z]+\\.example$' },
      ['node', 'main.js', '--allow-local-port=5173'],
    );
    expect(config.origins).toEqual({
      allowed: ['https://a.example', 'app://.', 'http://localhost:5173', 'http://127.0.0.1:5173'],
      pattern: '^https://p-[a-z]+\\.example$',
    });
    expect(() => loadConfig({ ALLOWED_ORIGIN_REGEX: '(' }, [])).toThrow(/ALLOWED_ORIGIN_REGEX/);
    expect(() => loadConfig({}, ['--allow-local-port=abc'])).toThrow(/--allow-local-port/);
  });

  it('redacts passwords in connection URLs for logs', () => {
    expect(redactedUrl('redis://:secret@host:6379/0')).toBe('redis://:***@host:6379/0');
    expect(redactedUrl(null)).toBe('(none)');
  });
});
