import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactedUrl } from './config.js';

describe('loadConfig', () => {
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env, []);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

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

  it('keeps 1000 log lines and serves none without a log access key, which must be long', () => {
    const defaults = loadConfig({});
    expect(defaults.server.logBufferSize).toBe(1_000);
    expect(defaults.server.logAccessKey).toBeNull();
    expect(defaults.server).toMatchObject({ drainReadinessDelayMs: 0, reconnectGraceMs: 15_000 });
    expect(problem({ LOG_ACCESS_KEY: 'short' })).toContain('LOG_ACCESS_KEY');
    // An empty variable (docker-compose's `${VAR:-}`) is an unset one.
    expect(loadConfig({ LOG_ACCESS_KEY: '', UPLOADTHING_TOKEN: '', PORT: '' }).server).toMatchObject({
      logAccessKey: null,
      port: 8080,
    });
    expect(loadConfig({ LOG_ACCESS_KEY: 'a-long-enough-key-1', MAX_LOG_BUFFER_SIZE: '5' }).server).toMatchObject({
      logAccessKey: 'a-long-enough-key-1',
      logBufferSize: 5,
    });
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

  describe('ICE sources', () => {
    it('reads ICE_SERVERS_JSON (or QUIBBLE_ICE_SERVERS_JSON) verbatim', () => {
      const servers = [{ urls: ['stun:a.example:3478'] }, { urls: 'turn:b.example', username: 'u', credential: 'p' }];
      expect(loadConfig({ ICE_SERVERS_JSON: JSON.stringify(servers) }, []).ice.servers).toEqual(servers);
      expect(loadConfig({ QUIBBLE_ICE_SERVERS_JSON: JSON.stringify(servers) }, []).ice.servers).toEqual(servers);
      expect(loadConfig({}, []).ice).toEqual({
        servers: [],
        stunUrls: [],
        staticTurn: null,
        turnRest: null,
        cloudflare: null,
      });
    });

    it('stops the start on a malformed ICE_SERVERS_JSON, saying what is wrong', () => {
      expect(problem({ ICE_SERVERS_JSON: '[{urls:' })).toMatch(/ICE_SERVERS_JSON: is not valid JSON/);
      expect(problem({ ICE_SERVERS_JSON: '{"urls":"stun:x"}' })).toMatch(/ICE_SERVERS_JSON: must be a JSON array/);
      expect(problem({ ICE_SERVERS_JSON: '[{"urls":"http://x"}]' })).toMatch(/ICE_SERVERS_JSON: .*0\.urls/);
      expect(problem({ QUIBBLE_ICE_SERVERS_JSON: '[{"url":"stun:x"}]' })).toMatch(/ICE_SERVERS_JSON/);
    });

    it('checks STUN and TURN settings together', () => {
      expect(problem({ STUN_URLS: 'turn:x' })).toMatch(/STUN_URLS/);
      expect(problem({ TURN_URL: 'turn:x' })).toMatch(/TURN_URL: needs TURN_USERNAME and TURN_CREDENTIAL/);
      expect(problem({ TURN_SECRET: 's' })).toMatch(/TURN_SECRET: needs TURN_URLS/);
      expect(problem({ TURN_SECRET: 's', TURN_URLS: 'stun:x' })).toMatch(/TURN_URLS/);
      expect(problem({ CLOUDFLARE_TURN_TOKEN_ID: 'id' })).toMatch(/CLOUDFLARE_API_TOKEN/);
      const config = loadConfig({ TURN_SECRET: 's', TURN_URLS: 'turn:a:3478,turns:b:5349' }, []);
      expect(config.ice.turnRest).toEqual({ secret: 's', urls: ['turn:a:3478', 'turns:b:5349'], ttlSeconds: 86_400 });
    });
  });

  describe('preview storage', () => {
    const token = Buffer.from(JSON.stringify({ apiKey: 'sk_live_x', appId: 'app', regions: ['sea1'] })).toString(
      'base64',
    );

    it('is local disk unless an UploadThing token is given', () => {
      expect(loadConfig({}, []).previews).toMatchObject({ storage: 'local', uploadThing: null });
      expect(loadConfig({ UPLOADTHING_TOKEN: token }, []).previews).toMatchObject({
        storage: 'uploadthing',
        uploadThing: { token, apiUrl: 'https://api.uploadthing.com', ingestUrl: null },
      });
      expect(loadConfig({ UPLOADTHING_TOKEN: token, PREVIEW_STORAGE: 'local' }, []).previews.storage).toBe('local');
    });

    it("refuses a token that is not UploadThing's, and UploadThing storage without one", () => {
      expect(problem({ UPLOADTHING_TOKEN: 'sk_live_raw_secret' })).toMatch(
        /UPLOADTHING_TOKEN: must be the base64 token/,
      );
      expect(problem({ PREVIEW_STORAGE: 'uploadthing' })).toMatch(
        /PREVIEW_STORAGE: uploadthing needs UPLOADTHING_TOKEN/,
      );
    });
  });

  it('needs a key for AUTH_MODE=jwt, and a PEM public key or a long enough secret', () => {
    expect(problem({ AUTH_MODE: 'jwt' })).toMatch(/AUTH_MODE: jwt needs JWT_SECRET/);
    expect(problem({ AUTH_MODE: 'jwt', JWT_SECRET: 'short' })).toMatch(/JWT_SECRET: must be at least 32/);
    expect(problem({ AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: 'ssh-rsa AAAA' })).toMatch(/JWT_PUBLIC_KEY: must be a PEM/);
    expect(loadConfig({}, []).auth).toBeNull();
    expect(loadConfig({ AUTH_MODE: 'jwt', JWT_SECRET: 's'.repeat(32), JWT_AUDIENCE: 'app' }, []).auth).toEqual({
      secret: 's'.repeat(32),
      publicKey: null,
      audience: 'app',
      issuer: null,
    });
  });
});
