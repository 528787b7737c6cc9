import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EgressRefusedError, guardedFetch, type HostResolver } from './guarded-fetch.js';
import { startLocalServer, type LocalTestServer } from './local-test-server.js';

/** Deterministic DNS: the names the attacks use, and what they "resolve" to. */
const dnsTable: Record<string, string[]> = {
  'evil.test': ['127.0.0.1'],
  'meta.test': ['169.254.169.254'],
  'mixed.test': ['93.184.216.34', '10.0.0.1'],
  'v6-loopback.test': ['::1'],
  'mapped.test': ['::ffff:192.168.0.1'],
  'nat64.test': ['64:ff9b::7f00:1'],
  'ula.test': ['fd12:3456::1'],
  'cgnat.test': ['100.64.0.1'],
};
const resolver: HostResolver = async (name) => {
  const found = dnsTable[name.replace(/\.$/, '')];
  if (!found) throw new Error(`test resolver: unknown host ${name}`);
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

let server: LocalTestServer;
before(async () => {
  server = await startLocalServer((_req, res) => void res.end('reached'));
});
after(() => server.close());

/** [attack URL (PORT is the local server's port), a fragment the refusal reason must contain]. */
const attacks: [string, string][] = [
  // IPv4 loopback in every spelling the WHATWG URL parser normalises.
  ['http://127.0.0.1:PORT/', 'loopback'],
  ['http://2130706433:PORT/', 'loopback'],
  ['http://0x7f000001:PORT/', 'loopback'],
  ['http://0177.0.0.1:PORT/', 'loopback'],
  ['http://017700000001:PORT/', 'loopback'],
  ['http://0x7f.1:PORT/', 'loopback'],
  ['http://0x7f.0x0.0x0.0x1:PORT/', 'loopback'],
  ['http://127.1:PORT/', 'loopback'],
  ['http://127.0.1:PORT/', 'loopback'],
  ['http://127.0.0.1.:PORT/', 'loopback'],
  ['http://%31%32%37.0.0.1:PORT/', 'loopback'],
  ['http://127.254.1.2:PORT/', 'loopback'],
  // Unspecified addresses (connect to the local host on most systems).
  ['http://0.0.0.0:PORT/', 'unspecified'],
  ['http://0:PORT/', 'unspecified'],
  ['http://[::]:PORT/', 'unspecified'],
  // IPv6 loopback and IPv6 forms embedding private IPv4 addresses.
  ['http://[::1]:PORT/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]:PORT/', 'loopback'],
  ['http://[::ffff:127.0.0.1]:PORT/', 'IPv4-mapped'],
  ['http://[::ffff:7f00:1]:PORT/', 'IPv4-mapped'],
  ['http://[::ffff:a9fe:a9fe]/', 'link-local'],
  ['http://[::127.0.0.1]:PORT/', 'IPv4-compatible'],
  ['http://[::ffff:0:127.0.0.1]:PORT/', 'IPv4-translated'],
  ['http://[64:ff9b::127.0.0.1]:PORT/', 'NAT64'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64'],
  ['http://[64:ff9b:1::808:808]/', 'local-use NAT64'],
  ['http://[2002:7f00:1::1]/', '6to4'],
  ['http://[2002:a9fe:a9fe::1]/', '6to4'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'Teredo'],
  // Private, link-local, metadata and other special IPv4 ranges.
  ['http://10.0.0.1/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.254/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://169.254.169.254/latest/meta-data/', 'link-local'],
  ['http://100.64.0.1/', 'carrier-grade NAT'],
  ['http://100.100.100.200/', 'carrier-grade NAT'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://198.18.0.1/', 'reserved'],
  ['http://192.0.2.1/', 'reserved'],
  ['http://203.0.113.9/', 'reserved'],
  ['http://240.0.0.1/', 'reserved'],
  // Special IPv6 ranges.
  ['http://[fe80::1]/', 'link-local'],
  ['http://[fc00::1]/', 'unique-local'],
  ['http://[fd00:ec2::254]/', 'unique-local'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[2001:db8::1]/', 'reserved'],
  ['http://[fec0::1]/', 'site-local'],
  // Loopback and metadata host names, however they are spelled.
  ['http://localhost:PORT/', 'loopback host name'],
  ['http://LOCALHOST:PORT/', 'loopback host name'],
  ['http://localhost.:PORT/', 'loopback host name'],
  ['http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:PORT/', 'loopback host name'],
  ['http://api.localhost:PORT/', 'loopback host name'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'metadata host name'],
  ['http://METADATA.Google.Internal./', 'metadata host name'],
  ['http://instance-data/latest/', 'metadata host name'],
  // Names that resolve to private addresses (every address must be public).
  ['http://evil.test:PORT/', 'evil.test resolves to 127.0.0.1'],
  ['http://EVIL.test.:PORT/', 'resolves to 127.0.0.1'],
  ['http://meta.test/', 'meta.test resolves to 169.254.169.254'],
  ['http://mixed.test/', 'mixed.test resolves to 10.0.0.1'],
  ['http://v6-loopback.test:PORT/', 'resolves to ::1'],
  ['http://mapped.test/', 'IPv4-mapped'],
  ['http://nat64.test:PORT/', 'NAT64'],
  ['http://ula.test/', 'unique-local'],
  ['http://cgnat.test/', 'carrier-grade NAT'],
  // Credentials in the URL, including the classic "which host is it" confusion.
  ['http://example.com@127.0.0.1:PORT/', 'credentials'],
  ['http://user:secret@example.com/', 'credentials'],
  ['http://127.0.0.1:PORT@example.com/', 'credentials'],
  // Schemes other than http(s).
  ['file:///etc/passwd', 'scheme file:'],
  ['gopher://127.0.0.1:PORT/_INFO', 'scheme gopher:'],
  ['ftp://example.com/pub', 'scheme ftp:'],
  ['dict://127.0.0.1:PORT/info', 'scheme dict:'],
  ['data:text/plain,hello', 'scheme data:'],
  ['javascript:alert(1)', 'scheme javascript:'],
  ['not a url', 'not a valid absolute URL'],
];

describe('SSRF attempts are refused before any connection', () => {
  for (const [template, reason] of attacks) {
    test(template, async () => {
      const url = template.replaceAll('PORT', String(server.port));
      await assert.rejects(
        guardedFetch(url, { lookup: resolver, timeoutMs: 5_000 }),
        (err: unknown) => {
          assert.ok(err instanceof EgressRefusedError, `expected a refusal, got ${String(err)}`);
          assert.equal(err.code, 'CC_E_EGRESS_REFUSED');
          assert.ok(err.reason.includes(reason), `reason "${err.reason}" lacks "${reason}"`);
          assert.ok(err.message.includes(err.url), 'the message names the URL');
          return true;
        },
      );
    });
  }

  test('none of them reached the local server', () => {
    assert.ok(attacks.length >= 40);
    assert.equal(server.connections(), 0);
  });

  test('refusals that the allowlist can lift say how', async () => {
    const err = await guardedFetch(`http://127.0.0.1:${server.port}/`).catch((e: unknown) => e);
    assert.ok(err instanceof EgressRefusedError);
    assert.equal(err.address, '127.0.0.1');
    assert.match(err.message, /egressAllowHosts/);
    const creds = await guardedFetch('http://user:hunter2@example.com/').catch((e: unknown) => e);
    assert.ok(creds instanceof EgressRefusedError);
    assert.doesNotMatch(creds.message, /hunter2/, 'credentials are not echoed');
    assert.match(creds.message, /header/);
  });
});
