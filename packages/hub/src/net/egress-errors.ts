/**
 * The two failures of outbound HTTP from the hub: a request the SSRF guard refuses, and every
 * other way a guarded request can fail (timeout, abort, network, size, redirects).
 */

/** How to lift a refusal, appended to every refusal message. */
export const egressFixHint =
  'If this host is meant to be reachable, a project admin can add it (host name, IP address ' +
  'or CIDR range) to the project’s egressAllowHosts (PATCH /api/v1/projects/{id}).';

/**
 * The SSRF guard refused a request: the URL, an address its host resolves to, or a redirect
 * target is loopback, private, link-local, a metadata endpoint or otherwise not public, and the
 * project does not allowlist it. Never worth retrying: the same request is refused again.
 */
export class EgressRefusedError extends Error {
  /** Error-catalogue code of every refusal. */
  readonly code = 'CC_E_EGRESS_REFUSED' as const;
  /** The URL that was refused (a redirect target when a redirect was refused). */
  readonly url: string;
  /** Why, in a few words: `127.0.0.1 is a loopback address`. */
  readonly reason: string;
  /** The refused IP address, when the refusal is about an address. */
  readonly address?: string;

  /**
   * @param hint how to fix it; by default, how to allowlist the host. Refusals the allowlist
   *   cannot lift (a `file:` URL, credentials in the URL) pass their own.
   */
  constructor(url: string, reason: string, address?: string, hint: string = egressFixHint) {
    super(`outbound request to ${url} refused: ${reason}. ${hint}`);
    this.name = 'EgressRefusedError';
    this.url = url;
    this.reason = reason;
    this.address = address;
  }
}

/** How a guarded request failed, when the guard did not refuse it. */
export type GuardedFetchErrorKind = 'timeout' | 'aborted' | 'network' | 'too-large' | 'redirects';

/** A guarded request failed for a reason other than the SSRF guard. */
export class GuardedFetchError extends Error {
  readonly kind: GuardedFetchErrorKind;
  /** The URL being requested when it failed (after redirects). */
  readonly url: string;

  constructor(kind: GuardedFetchErrorKind, url: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'GuardedFetchError';
    this.kind = kind;
    this.url = url;
  }
}
