import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

describe('room password hashing', () => {
  it('stores scrypt parameters, a random salt and the key, never the password', async () => {
    const [first, second] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(first).toMatch(/^scrypt\$16384\$8\$5\$[\w-]{22}\$[\w-]{43}$/);
    expect(first).not.toContain('correct');
    expect(second).not.toEqual(first);
  });

  it('accepts the password and refuses anything else', async () => {
    const stored = await hashPassword('Tr0ub4dor&3 ünïcode');
    expect(await verifyPassword('Tr0ub4dor&3 ünïcode', stored)).toBe(true);
    expect(await verifyPassword('Tr0ub4dor&3 unicode', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('never matches a damaged or foreign hash', async () => {
    const stored = await hashPassword('pw');
    const parts = stored.split('$');
    expect(await verifyPassword('pw', 'pw')).toBe(false);
    expect(await verifyPassword('pw', `bcrypt$${parts.slice(1).join('$')}`)).toBe(false);
    expect(await verifyPassword('pw', [...parts.slice(0, 5), 'AAAA'].join('$'))).toBe(false);
    expect(await verifyPassword('pw', ['scrypt', 2 ** 30, ...parts.slice(2)].join('$'))).toBe(false);
  });
});
