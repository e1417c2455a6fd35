import type { RendezvousConfig } from '@rendezvous/config';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';

/** What a verified token may say about its client. */
export interface AuthClaims {
  subject: string | null;
  /** Display name (claim `name`), used as the session's name. */
  name: string | null;
  /** Rooms the client may join or attach to (claim `rooms`); null = any. */
  rooms: string[] | null;
}

export class AuthRejected extends Error {
  constructor(
    readonly reason: 'auth_missing' | 'auth_invalid' | 'auth_expired',
    message: string,
  ) {
    super(message);
  }
}

type AuthSettings = NonNullable<RendezvousConfig['auth']>;

/**
 * Verifies handshake tokens: HS256 with JWT_SECRET, or RS256/ES256 with JWT_PUBLIC_KEY (the key's type decides);
 * `exp` is required, `aud` and `iss` are checked when configured. Nothing else is accepted (no `none`, no
 * algorithm the key was not made for).
 */
export class JwtVerifier {
  private readonly keys: { key: KeyObject; algorithms: string[] }[] = [];

  constructor(private readonly settings: AuthSettings) {
    if (settings.secret) this.keys.push({ key: createSecretKey(Buffer.from(settings.secret)), algorithms: ['HS256'] });
    if (settings.publicKey) {
      const key = createPublicKey(settings.publicKey);
      this.keys.push({ key, algorithms: key.asymmetricKeyType === 'ec' ? ['ES256'] : ['RS256'] });
    }
  }

  async verify(token: unknown): Promise<AuthClaims> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new AuthRejected('auth_missing', 'Authentication required: a token in auth.token');
    }
    let lastError: unknown = null;
    for (const { key, algorithms } of this.keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms,
          requiredClaims: ['exp'],
          ...(this.settings.audience ? { audience: this.settings.audience } : {}),
          ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        });
        const rooms = payload.rooms;
        return {
          subject: payload.sub ?? null,
          name: typeof payload.name === 'string' && payload.name.trim() ? payload.name.trim().slice(0, 50) : null,
          rooms: Array.isArray(rooms) ? rooms.filter((room): room is string => typeof room === 'string') : null,
        };
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError instanceof errors.JWTExpired) throw new AuthRejected('auth_expired', 'Token expired');
    throw new AuthRejected('auth_invalid', 'Invalid token');
  }
}
