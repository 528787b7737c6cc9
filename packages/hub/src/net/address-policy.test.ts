import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyAddress, refusedHostName } from './address-policy.js';
import { compileAllowHosts, parseAllowHostEntry } from './allow-hosts.js';
import { checkEgressUrl, pinnedLookup, type HostResolver } from './egress-guard.js';

describe('classifyAddress', () => {
  for (const address of [
    '8.8.8.8',
    '93.184.216.34',
    '1.1.1.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ]) {
    test(`${address} is public`, () =>
      assert.deepEqual(classifyAddress(address), { allowed: true, reason: '' }));
  }
  for (const [address, reason] of [
    ['4000::1', 'not a global unicast address'],
    ['::8.8.8.8', 'deprecated IPv4-compatible'],
    ['100::1', 'discard-only'],
    ['bogus', 'not an IP address'],
  ]) {
    test(`${address} is refused (${reason})`, () => {
      const verdict = classifyAddress(address!);
      assert.equal(verdict.allowed, false);
      assert.match(verdict.reason, new RegExp(reason!));
    });
  }
  test('ordinary names are left to DNS', () =>
    assert.equal(refusedHostName('example.com'), undefined));
});

describe('allowHosts', () => {
  test('parses names, IPs (bracketed or not) and CIDRs; rejects nonsense with a fix', () => {
    assert.deepEqual(parseAllowHostEntry('Build.Example.COM.'), {
      kind: 'host',
      name: 'build.example.com',
    });
    assert.equal((parseAllowHostEntry('[::1]') as { kind: string }).kind, 'ip');
    assert.equal((parseAllowHostEntry('fd00::/8') as { kind: string }).kind, 'cidr');
    assert.match((parseAllowHostEntry('10.0.0.0/33') as { error: string }).error, /10\.0\.0\.0\/8/);
    assert.match((parseAllowHostEntry('a b') as { error: string }).error, /neither a host name/);
  });

  test('IPs and CIDRs match addresses, in IPv4 and IPv6', () => {
    const allow = compileAllowHosts(['10.0.0.0/8', '::1', 'fd00::/8', 'svc.internal']);
    assert.equal(allow.addressExempt('10.20.30.40'), true);
    assert.equal(allow.addressExempt('::ffff:10.0.0.1'), true);
    assert.equal(allow.addressExempt('11.0.0.1'), false);
    assert.equal(allow.addressExempt('::1'), true);
    assert.equal(allow.addressExempt('fd12::1'), true);
    assert.equal(allow.hostExempt('SVC.internal.'), true);
    assert.equal(allow.hostExempt('other.internal'), false);
  });

  test('a metadata address is exempt only when listed exactly, never by a range', () => {
    assert.equal(compileAllowHosts(['169.254.0.0/16']).addressExempt('169.254.169.254'), false);
    assert.equal(compileAllowHosts(['169.254.0.0/16']).addressExempt('169.254.1.1'), true);
    assert.equal(compileAllowHosts(['0.0.0.0/0']).addressExempt('100.100.100.200'), false);
    assert.equal(compileAllowHosts(['169.254.169.254']).addressExempt('169.254.169.254'), true);
  });
});

describe('checkEgressUrl', () => {
  const resolve: HostResolver = async (name) =>
    name === 'public.test'
      ? [
          { address: '93.184.216.34', family: 4 },
          { address: '2606:2800:220:1::1', family: 6 },
        ]
      : [{ address: '10.0.0.7', family: 4 }];

  test('a public name passes with every resolved address', async () => {
    const target = await checkEgressUrl('https://public.test/x', {
      allowHosts: compileAllowHosts(),
      resolve,
    });
    assert.equal(target.host, 'public.test');
    assert.deepEqual(
      target.addresses.map((a) => a.address),
      ['93.184.216.34', '2606:2800:220:1::1'],
    );
  });

  test('a host name exemption exempts what that name resolves to', async () => {
    const target = await checkEgressUrl('http://db.internal/', {
      allowHosts: compileAllowHosts(['db.internal']),
      resolve,
    });
    assert.deepEqual(target.addresses, [{ address: '10.0.0.7', family: 4 }]);
  });

  test('an allowlisted metadata host name is let through when named exactly', async () => {
    const allowHosts = compileAllowHosts(['metadata.google.internal']);
    const target = await checkEgressUrl('http://metadata.google.internal/', {
      allowHosts,
      resolve,
    });
    assert.equal(target.host, 'metadata.google.internal');
  });
});

describe('pinnedLookup', () => {
  const lookup = pinnedLookup(
    new Map([
      [
        'a.test',
        [
          { address: '93.184.216.34', family: 4 as const },
          { address: '2606:2800:220:1::1', family: 6 as const },
        ],
      ],
    ]),
  );
  const call = (host: string, options: { all?: boolean; family?: number }) =>
    new Promise<unknown[]>((resolve) => lookup(host, options, (...args) => resolve(args)));

  test('answers only with the checked addresses, in the shape asked for', async () => {
    assert.deepEqual(await call('a.test', {}), [null, '93.184.216.34', 4]);
    assert.deepEqual(await call('a.test', { family: 6 }), [null, '2606:2800:220:1::1', 6]);
    assert.deepEqual(await call('a.test', { all: true }), [
      null,
      [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    ]);
  });

  test('refuses a host the guard did not check', async () => {
    const [err] = await call('b.test', {});
    assert.match((err as Error).message, /no checked address for b\.test/);
  });
});
