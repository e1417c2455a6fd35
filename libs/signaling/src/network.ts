import { BlockList, isIP } from 'node:net';

/** Strips IPv4-mapped IPv6 prefixes, zone ids and case so one host always has one spelling. */
export function normalizeAddress(address: string): string {
  let value = address.trim().toLowerCase();
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  const zone = value.indexOf('%');
  if (zone !== -1) value = value.slice(0, zone);
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped?.[1]) return mapped[1];
  return value;
}

/** Expands an IPv6 address to its eight 4-digit hextets. */
export function expandIPv6(address: string): string[] {
  let value = address;
  const embeddedV4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (embeddedV4) {
    const [a, b, c, d] = embeddedV4.slice(1).map(Number) as [number, number, number, number];
    value = `${value.slice(0, embeddedV4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = value.split('::') as [string, string | undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
  return parts.map((part) => part.padStart(4, '0'));
}

function isPrivateIPv4(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  return (
    a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
  );
}

function isPrivateIPv6(hextets: string[]): boolean {
  const first = parseInt(hextets[0] ?? '0', 16);
  const isLoopback = hextets.slice(0, 7).every((h) => h === '0000') && hextets[7] === '0001';
  return isLoopback || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/**
 * DropSilk's network grouping: a public address is a network by itself (everyone behind one NAT shares it);
 * a private IPv4 address groups by its first three octets, a private IPv6 address by its first four hextets.
 */
export function networkGroup(rawAddress: string): string {
  const address = normalizeAddress(rawAddress);
  const family = isIP(address);
  if (family === 4) {
    return isPrivateIPv4(address) ? `v4:${address.split('.').slice(0, 3).join('.')}` : `ip:${address}`;
  }
  if (family === 6) {
    const hextets = expandIPv6(address);
    return isPrivateIPv6(hextets) ? `v6:${hextets.slice(0, 4).join(':')}` : `ip:${hextets.join(':')}`;
  }
  return `unknown:${address}`;
}

/** Addresses or CIDR ranges whose X-Forwarded-For header we believe. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [rawAddress, prefix] = entry.split('/') as [string, string | undefined];
      const address = normalizeAddress(rawAddress);
      const family = isIP(address);
      if (family === 0) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) {
        this.list.addAddress(address, type);
      } else {
        const bits = Number(prefix);
        if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
          throw new Error(`TRUSTED_PROXIES: "${entry}" has an invalid prefix length`);
        }
        this.list.addSubnet(address, bits, type);
      }
    }
    this.size = entries.length;
  }

  isTrusted(rawAddress: string): boolean {
    if (this.size === 0) return false;
    const address = normalizeAddress(rawAddress);
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The client's address: the socket's own, unless the socket's peer is a trusted proxy; then the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (entries to its left can be forged by the client).
 */
export function resolveClientAddress(
  socketAddress: string,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const direct = normalizeAddress(socketAddress);
  if (!forwardedFor || !trusted.isTrusted(direct)) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => normalizeAddress(hop))
    .filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.isTrusted(hop)) return hop;
  }
  return hops[0] ?? direct;
}
