import { describe, expect, it } from 'vitest';
import { expandIPv6, networkGroup, normalizeAddress, resolveClientAddress, TrustedProxies } from './network.js';

describe('networkGroup', () => {
  it.each([
    ['192.168.1.20', 'v4:192.168.1'],
    ['192.168.1.250', 'v4:192.168.1'],
    ['192.168.2.20', 'v4:192.168.2'],
    ['10.1.2.3', 'v4:10.1.2'],
    ['172.16.5.4', 'v4:172.16.5'],
    ['172.31.255.1', 'v4:172.31.255'],
    ['127.0.0.1', 'v4:127.0.0'],
    ['169.254.10.1', 'v4:169.254.10'],
  ])('groups private IPv4 %s by its first three octets', (address, group) => {
    expect(networkGroup(address)).toBe(group);
  });

  it.each([
    ['8.8.8.8', 'ip:8.8.8.8'],
    ['172.32.0.1', 'ip:172.32.0.1'],
    ['172.15.0.1', 'ip:172.15.0.1'],
    ['100.64.0.1', 'ip:100.64.0.1'],
    ['203.0.113.7', 'ip:203.0.113.7'],
  ])('keeps public IPv4 %s as a network of its own', (address, group) => {
    expect(networkGroup(address)).toBe(group);
  });

  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(networkGroup('::ffff:192.168.1.20')).toBe('v4:192.168.1');
    expect(networkGroup('::FFFF:8.8.4.4')).toBe('ip:8.8.4.4');
    expect(networkGroup('0:0:0:0:0:ffff:10.0.0.1')).toBe('v4:10.0.0');
  });

  it('groups private IPv6 by the first four hextets', () => {
    expect(networkGroup('fd12:3456:789a:1::5')).toBe('v6:fd12:3456:789a:0001');
    expect(networkGroup('fd12:3456:789a:1:aaaa::9')).toBe('v6:fd12:3456:789a:0001');
    expect(networkGroup('fe80::1%eth0')).toBe('v6:fe80:0000:0000:0000');
    expect(networkGroup('::1')).toBe('v6:0000:0000:0000:0000');
  });

  it('keeps public IPv6 addresses apart, one network each', () => {
    expect(networkGroup('2001:db8::1')).toBe('ip:2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(networkGroup('2001:db8::2')).not.toBe(networkGroup('2001:db8::1'));
  });

  it('expands and normalizes addresses', () => {
    expect(expandIPv6('::')).toEqual(Array(8).fill('0000'));
    expect(expandIPv6('1::')).toEqual(['0001', ...Array(7).fill('0000')]);
    expect(expandIPv6('::ffff:1.2.3.4').slice(6)).toEqual(['0102', '0304']);
    expect(normalizeAddress('[FE80::1%lo]')).toBe('fe80::1');
  });
});

describe('resolveClientAddress', () => {
  const proxies = new TrustedProxies(['10.0.0.1', '172.20.0.0/16', '::1']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientAddress('203.0.113.9', '1.2.3.4', proxies)).toBe('203.0.113.9');
    expect(resolveClientAddress('::ffff:203.0.113.9', undefined, proxies)).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop behind trusted proxies', () => {
    expect(resolveClientAddress('10.0.0.1', '198.51.100.4', proxies)).toBe('198.51.100.4');
    expect(resolveClientAddress('::ffff:10.0.0.1', 'spoofed, 198.51.100.4, 172.20.3.3', proxies)).toBe('198.51.100.4');
    expect(resolveClientAddress('::1', ['9.9.9.9', '8.8.8.8'], proxies)).toBe('8.8.8.8');
  });

  it('falls back to the socket address when the header holds no address', () => {
    expect(resolveClientAddress('10.0.0.1', 'garbage', proxies)).toBe('10.0.0.1');
  });

  it('trusts nobody by default and rejects malformed entries', () => {
    expect(resolveClientAddress('127.0.0.1', '8.8.8.8', new TrustedProxies([]))).toBe('127.0.0.1');
    expect(() => new TrustedProxies(['not-an-ip'])).toThrow(/TRUSTED_PROXIES/);
    expect(() => new TrustedProxies(['10.0.0.0/40'])).toThrow(/prefix/);
  });
});
