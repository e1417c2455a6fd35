import { createHmac } from 'node:crypto';

export interface TurnRestCredential {
  username: string;
  credential: string;
  /** Unix seconds after which the TURN server refuses the credential. */
  expiresAt: number;
}

/**
 * Time-limited TURN credentials in the TURN REST scheme that coturn implements (`use-auth-secret`): the username
 * is `<expiry unix seconds>:<user id>` and the credential base64(HMAC-SHA1(secret, username)). The secret itself
 * never leaves the server.
 */
export function mintTurnRestCredential(
  secret: string,
  userId: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): TurnRestCredential {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}
