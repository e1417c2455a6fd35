import type { RendezvousConfig } from '@rendezvous/config';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { cleanDisplayName } from '@rendezvous/protocol';
import type { ClientClaims } from '@rendezvous/sessions';
import { errors, type JWTPayload, jwtVerify } from 'jose';

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

  async verify(token: unknown): Promise<ClientClaims> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new AuthRejected('auth_missing', 'Authentication required: a token in auth.token');
    }
    return claimsOf(await this.verifiedPayload(token));
  }

  private async verifiedPayload(token: string): Promise<JWTPayload> {
    let lastError: unknown = null;
    for (const { key, algorithms } of this.keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms,
          requiredClaims: ['exp'],
          ...(this.settings.audience ? { audience: this.settings.audience } : {}),
          ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        });
        return payload;
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError instanceof errors.JWTExpired) throw new AuthRejected('auth_expired', 'Token expired');
    throw new AuthRejected('auth_invalid', 'Invalid token');
  }
}

/**
 * The claims we act on. A `rooms` claim that is present but not an array of strings refuses the token: reading
 * it as "no restriction" would give the holder every room.
 */
function claimsOf(payload: JWTPayload): ClientClaims {
  const { rooms, name } = payload;
  if (rooms !== undefined && !(Array.isArray(rooms) && rooms.every((room) => typeof room === 'string'))) {
    throw new AuthRejected('auth_invalid', 'Invalid token: the rooms claim must be an array of strings');
  }
  const cleanName = typeof name === 'string' ? cleanDisplayName(name).slice(0, 50) : '';
  return { subject: payload.sub ?? null, name: cleanName || null, rooms: rooms ?? null };
}
