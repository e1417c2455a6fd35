import { describe, expect, it } from 'vitest';
import { mintTurnRestCredential } from './turn-rest.js';

// Expected credentials computed independently with OpenSSL:
//   printf '%s' '<username>' | openssl dgst -sha1 -hmac '<secret>' -binary | base64
describe('TURN REST credentials', () => {
  it('puts the expiry and the user id in the username and signs it with HMAC-SHA1 (known vectors)', () => {
    expect(mintTurnRestCredential('north-pole-secret', 'k3v9x0q2ma', 3_600, 1_799_996_400_000)).toEqual({
      username: '1800000000:k3v9x0q2ma',
      credential: '6ovh6BejAM61WOXIHadQUxOKZgc=',
      expiresAt: 1_800_000_000,
    });
    expect(mintTurnRestCredential('secret', 'user', 3_600, 1_700_000_000_999)).toEqual({
      username: '1700003600:user',
      credential: '+H9F73rZRi2gwSWIwTpuw+t6m9Q=',
      expiresAt: 1_700_003_600,
    });
  });

  it('never puts the secret in what it returns', () => {
    const minted = mintTurnRestCredential('very-secret-value', 'abc', 60);
    expect(JSON.stringify(minted)).not.toContain('very-secret-value');
  });
});
