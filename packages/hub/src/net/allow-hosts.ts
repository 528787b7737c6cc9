/**
 * A project's SSRF-guard exemptions (`egressAllowHosts`), compiled once per request: exact host
 * names (case-insensitive, trailing dot ignored), IP addresses and CIDR ranges.
 */
import ipaddr from 'ipaddr.js';
import { metadataAddresses, normalizeHostName, parseIp, unmapIp } from './address-policy.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** One parsed allowlist entry. */
export type AllowHostEntry =
  { kind: 'host'; name: string } | { kind: 'ip'; ip: Ip } | { kind: 'cidr'; range: [Ip, number] };

/**
 * Parses one allowlist entry: a host name, an IP address (IPv6 with or without brackets) or a
 * CIDR range. Returns an error message saying how to fix the entry when it is none of these.
 */
export function parseAllowHostEntry(entry: string): AllowHostEntry | { error: string } {
  const text = entry.trim();
  if (text.includes('/')) {
    try {
      const [ip, bits] = ipaddr.parseCIDR(text.replace(/^\[([^\]]+)\]/, '$1'));
      // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8: addresses are compared unmapped.
      const mapped = ip.kind() === 'ipv6' && bits >= 96 && unmapIp(ip) !== ip;
      return { kind: 'cidr', range: mapped ? [unmapIp(ip), bits - 96] : [ip, bits] };
    } catch {
      return {
        error: `egressAllowHosts entry "${entry}" is not a valid CIDR range: write it as 10.0.0.0/8 or fd00::/8`,
      };
    }
  }
  const ip = parseIp(text);
  if (ip) return { kind: 'ip', ip: unmapIp(ip) };
  const name = normalizeHostName(text);
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
    return {
      error: `egressAllowHosts entry "${entry}" is neither a host name, an IP address nor a CIDR range`,
    };
  }
  return { kind: 'host', name };
}

/** A compiled allowlist: which host names and addresses are exempt from the guard. */
export interface AllowHosts {
  /** Whether the host name itself is listed (then every address it resolves to is exempt). */
  hostExempt(host: string): boolean;
  /** Whether an IP address is listed, or inside a listed CIDR range. */
  addressExempt(address: string): boolean;
  /** Entries that could not be parsed; they exempt nothing. */
  readonly invalid: readonly string[];
}

/** Compiles allowlist entries; invalid entries are kept aside (fail closed) and reported. */
export function compileAllowHosts(entries: readonly string[] = []): AllowHosts {
  const hosts = new Set<string>();
  const ips: Ip[] = [];
  const ranges: [Ip, number][] = [];
  const invalid: string[] = [];
  for (const entry of entries) {
    const parsed = parseAllowHostEntry(entry);
    if ('error' in parsed) invalid.push(parsed.error);
    else if (parsed.kind === 'host') hosts.add(parsed.name);
    else if (parsed.kind === 'ip') ips.push(parsed.ip);
    else ranges.push(parsed.range);
  }
  return {
    invalid,
    hostExempt: (host) => hosts.has(normalizeHostName(host)),
    addressExempt(address) {
      const parsed = parseIp(address);
      if (!parsed) return false;
      const ip = unmapIp(parsed);
      if (ips.some((x) => x.kind() === ip.kind() && x.toString() === ip.toString())) return true;
      // A metadata endpoint must be listed exactly: a broad range never exposes it by accident.
      if (metadataAddresses.has(ip.toString())) return false;
      return ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
    },
  };
}
