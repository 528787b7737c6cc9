/**
 * Which IP addresses and host names outbound requests may reach: only global unicast addresses.
 * Range classification comes from ipaddr.js; IPv6 forms that embed an IPv4 address (mapped,
 * compatible, SIIT, NAT64, 6to4, Teredo) are judged by the address they embed.
 */
import ipaddr from 'ipaddr.js';

/** An address the guard refuses, with a human-readable reason. */
export interface AddressVerdict {
  allowed: boolean;
  /** `127.0.0.1 is a loopback address`; empty when allowed. */
  reason: string;
}

const ipv4Labels: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address (224.0.0.0/4)',
  linkLocal: 'a link-local address (169.254.0.0/16, cloud metadata lives here)',
  loopback: 'a loopback address (127.0.0.0/8)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)',
  reserved: 'a reserved address (IETF, documentation, benchmarking or future use)',
  as112: 'an AS112 anycast address',
  amt: 'an AMT relay address',
};

const ipv6Labels: Record<string, string> = {
  unspecified: 'the unspecified address (::)',
  linkLocal: 'a link-local address (fe80::/10)',
  multicast: 'a multicast address (ff00::/8)',
  loopback: 'the loopback address (::1)',
  uniqueLocal: 'a unique-local (private) address (fc00::/7)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  discard: 'a discard-only address (100::/64)',
  benchmarking: 'a benchmarking address (2001:2::/48)',
  reserved: 'a reserved or documentation address',
};

/** Cloud metadata endpoints: exempt only when the allowlist names them exactly. */
export const metadataAddresses: ReadonlySet<string> = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean…
  '169.254.170.2', // AWS ECS task metadata
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
  'fd00:ec2::254', // AWS IMDS over IPv6
]);

/** Host names of cloud metadata services (compared lowercased, without a trailing dot). */
export const metadataHostNames: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.platformequinix.com',
  'metadata.packet.net',
]);

/** Lowercases a host name and drops its trailing dot (`LocalHost.` → `localhost`). */
export function normalizeHostName(host: string): string {
  return host.toLowerCase().replace(/\.+$/, '');
}

/** Why a host name is refused before any DNS lookup, or undefined when it may be resolved. */
export function refusedHostName(host: string): string | undefined {
  const name = normalizeHostName(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return `${host} is a loopback host name`;
  if (metadataHostNames.has(name)) return `${host} is a cloud metadata host name`;
  return undefined;
}

/** Parses an IP address (IPv6 without brackets); undefined when it is not one. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (!ipaddr.IPv6.isValid(bare)) return undefined;
  // ipaddr.js reads ::a.b.c.d as ::ffff:a.b.c.d; the URL parser's hex form is unambiguous.
  return ipaddr.IPv6.parse(
    bare.includes('.') ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : bare,
  );
}

/** The address itself, or the IPv4 address an IPv4-mapped IPv6 address stands for. */
export function unmapIp(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
    ? (ip as ipaddr.IPv6).toIPv4Address()
    : ip;
}

/** Whether an address is public (global unicast), and if not, why. */
export function classifyAddress(address: string): AddressVerdict {
  const ip = parseIp(address);
  if (!ip) return { allowed: false, reason: `${address} is not an IP address` };
  return ip.kind() === 'ipv4'
    ? classifyIpv4(ip as ipaddr.IPv4, address)
    : classifyIpv6(ip as ipaddr.IPv6, address);
}

function classifyIpv4(ip: ipaddr.IPv4, shown: string): AddressVerdict {
  const label = ipv4Label(ip);
  return label ? { allowed: false, reason: `${shown} is ${label}` } : { allowed: true, reason: '' };
}

function ipv4Label(ip: ipaddr.IPv4): string | undefined {
  const range = ip.range();
  return range === 'unicast' ? undefined : (ipv4Labels[range] ?? `a ${range} address`);
}

function classifyIpv6(ip: ipaddr.IPv6, shown: string): AddressVerdict {
  const embedded = embeddedIpv4(ip);
  if (embedded) {
    for (const v4 of embedded.addresses) {
      const label = ipv4Label(v4);
      if (label) {
        return { allowed: false, reason: `${shown} is ${embedded.form} embedding ${v4}, ${label}` };
      }
    }
    if (embedded.form === 'an IPv4-compatible address') {
      return { allowed: false, reason: `${shown} is a deprecated IPv4-compatible address` };
    }
    return { allowed: true, reason: '' };
  }
  const range = ip.range();
  if (range === 'rfc6052') {
    return { allowed: false, reason: `${shown} is a local-use NAT64 address (64:ff9b:1::/48)` };
  }
  const label = ipv6Labels[range];
  if (label) return { allowed: false, reason: `${shown} is ${label}` };
  // Only 2000::/3 is allocated for global unicast; everything else is special or unassigned.
  const [first = 0] = ip.parts;
  if (range !== 'unicast' || (first & 0xe000) !== 0x2000) {
    return { allowed: false, reason: `${shown} is not a global unicast address (${range})` };
  }
  return { allowed: true, reason: '' };
}

/** The IPv4 addresses an IPv6 address embeds, and which transition form embeds them. */
function embeddedIpv4(ip: ipaddr.IPv6): { form: string; addresses: ipaddr.IPv4[] } | undefined {
  const p = ip.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const last = () => v4(p[6] ?? 0, p[7] ?? 0);
  const range = ip.range();
  if (range === 'ipv4Mapped') return { form: 'an IPv4-mapped address', addresses: [last()] };
  if (range === 'rfc6145') return { form: 'an IPv4-translated address', addresses: [last()] };
  if (range === 'rfc6052' && p[2] === 0) {
    return { form: 'a NAT64 address', addresses: [last()] };
  }
  if (range === '6to4') return { form: 'a 6to4 address', addresses: [v4(p[1] ?? 0, p[2] ?? 0)] };
  if (range === 'teredo') {
    // Teredo: server IPv4 in bits 32–63, client IPv4 inverted in the last 32 bits.
    const client = v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff);
    return { form: 'a Teredo address', addresses: [v4(p[2] ?? 0, p[3] ?? 0), client] };
  }
  if (p.slice(0, 6).every((x) => x === 0) && range !== 'unspecified' && range !== 'loopback') {
    return { form: 'an IPv4-compatible address', addresses: [last()] };
  }
  return undefined;
}
