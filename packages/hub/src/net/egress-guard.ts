/**
 * The SSRF guard's checks before a connection: the URL's scheme and credentials, its host name,
 * and every address the host resolves to. The addresses checked here are the ones the socket
 * connects to (see {@link pinnedLookup}), so DNS cannot answer differently in between.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress as NodeLookupAddress, LookupOptions } from 'node:dns';
import { classifyAddress, parseIp, refusedHostName } from './address-policy.js';
import type { AllowHosts } from './allow-hosts.js';
import { EgressRefusedError, GuardedFetchError } from './egress-errors.js';

/** One address a host name resolves to. */
export interface LookupAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (production: `dns.lookup` with `all: true`). */
export type HostResolver = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The system resolver, as the operating system resolves names for any other program. */
export const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** A URL the guard let through, with the checked addresses its connection may use. */
export interface EgressTarget {
  url: URL;
  /** The host as the socket layer sees it: `url.hostname` without IPv6 brackets. */
  host: string;
  addresses: readonly LookupAddress[];
}

/** What the guard checks a URL against. */
export interface EgressCheckOptions {
  allowHosts: AllowHosts;
  resolve: HostResolver;
  signal?: AbortSignal;
}

const schemeHint =
  'Only http:// and https:// URLs can be requested; the egress allowlist does not change this.';
const credentialsHint =
  'Put credentials in a header (for example authorization: Bearer {{ secrets.TOKEN }}) instead ' +
  'of the URL; URLs with user:password@ are refused because they leak into logs and are a ' +
  'common way to disguise the real host.';

/**
 * Checks a URL and resolves its host: throws {@link EgressRefusedError} when the scheme is not
 * http(s), the URL has credentials, or the host (or any address it resolves to) is not public and
 * not allowlisted; throws {@link GuardedFetchError} (`network`) when the name does not resolve.
 */
export async function checkEgressUrl(
  input: string | URL,
  opts: EgressCheckOptions,
): Promise<EgressTarget> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new EgressRefusedError(
      String(input),
      'it is not a valid absolute URL',
      undefined,
      schemeHint,
    );
  }
  const shown = url.href;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressRefusedError(
      shown,
      `the scheme ${url.protocol} is not allowed`,
      undefined,
      schemeHint,
    );
  }
  if (url.username !== '' || url.password !== '') {
    const redacted = new URL(url.href);
    redacted.username = '***';
    redacted.password = '';
    throw new EgressRefusedError(
      redacted.href,
      'the URL contains credentials (user:password@)',
      undefined,
      credentialsHint,
    );
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = parseIp(host);
  if (literal) {
    if (!opts.allowHosts.addressExempt(host)) refuseAddress(shown, host, host, opts.allowHosts);
    return { url, host, addresses: [{ address: host, family: literal.kind() === 'ipv6' ? 6 : 4 }] };
  }
  const nameExempt = opts.allowHosts.hostExempt(host);
  const refusedName = nameExempt ? undefined : refusedHostName(host);
  if (refusedName) throw new EgressRefusedError(shown, withInvalid(refusedName, opts.allowHosts));
  const addresses = await resolveHost(shown, host, opts);
  if (!nameExempt) {
    for (const a of addresses) {
      if (!opts.allowHosts.addressExempt(a.address))
        refuseAddress(shown, host, a.address, opts.allowHosts);
    }
  }
  return { url, host, addresses };
}

function refuseAddress(url: string, host: string, address: string, allow: AllowHosts): void {
  const verdict = classifyAddress(address);
  if (verdict.allowed) return;
  const reason = host === address ? verdict.reason : `${host} resolves to ${verdict.reason}`;
  throw new EgressRefusedError(url, withInvalid(reason, allow), address);
}

/** Mentions allowlist entries that were ignored, since one may have been meant to match. */
function withInvalid(reason: string, allow: AllowHosts): string {
  return allow.invalid.length === 0
    ? reason
    : `${reason} (ignored invalid allowlist entries: ${allow.invalid.join('; ')})`;
}

async function resolveHost(
  url: string,
  host: string,
  opts: EgressCheckOptions,
): Promise<readonly LookupAddress[]> {
  let addresses: readonly LookupAddress[];
  try {
    addresses = await abortable(opts.resolve(host), opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const why = (err as Error)?.message ?? String(err);
    throw new GuardedFetchError('network', url, `could not resolve ${host} (${url}): ${why}`, err);
  }
  if (addresses.length === 0) {
    throw new GuardedFetchError('network', url, `could not resolve ${host} (${url}): no addresses`);
  }
  return addresses;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | NodeLookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `net.connect` that answers only with addresses the guard already checked for
 * that host, so the socket connects exactly where the check looked (no DNS rebinding).
 */
export function pinnedLookup(targets: ReadonlyMap<string, readonly LookupAddress[]>) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const list = (targets.get(hostname) ?? []).filter((a) => wanted === 0 || a.family === wanted);
    const [first] = list;
    if (!first) {
      const err: NodeJS.ErrnoException = new Error(
        `the SSRF guard has no checked address for ${hostname}; refusing to connect`,
      );
      err.code = 'ENOTFOUND';
      callback(err, '');
      return;
    }
    if (options.all)
      callback(
        null,
        list.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, first.address, first.family);
  };
}
