import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  discoverNatsAgents,
  NatsAgentDiscovery,
  type InvalidNatsService,
} from './nats-discovery.js';
import { serveNatsAgent, servicesOf } from './nats-service-agent.js';

const url = process.env.CC_TEST_NATS_URL;
const skip = !url && 'NATS not reachable (set CC_TEST_NATS_URL, or run via scripts/test.mjs)';

const unique = () => randomBytes(5).toString('hex');

const manifest = (name: string, version = '1.0.0') => ({
  name,
  version,
  type: 'nats',
  description: 'labels issues',
  risk: 'medium',
  actions: {
    label: {
      input: { type: 'object', properties: { title: { type: 'string' } } },
      output: { type: 'object', properties: { labels: { type: 'array' } } },
    },
  },
});

const handlers = { label: () => ({ labels: ['bug'] }) };

describe('nats discovery', { skip, timeout: 30_000 }, () => {
  let nc: NatsConnection;
  before(async () => {
    nc = await connect({ servers: url! });
  });
  after(() => nc?.drain());

  test('discoverNatsAgents finds a served agent once, whatever its instance count', async () => {
    const project = `t-${unique()}`;
    const a = await serveNatsAgent(nc, { project, manifest: manifest('labeler'), handlers });
    const b = await serveNatsAgent(nc, { project, manifest: manifest('labeler'), handlers });
    try {
      const found = (await discoverNatsAgents(nc)).filter((f) => f.project === project);
      assert.equal(found.length, 1);
      assert.deepEqual(found[0]!.manifest, manifest('labeler'));
      assert.ok([a.info().id, b.info().id].includes(found[0]!.serviceId));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('services with unusable manifests are reported, not returned', async () => {
    const project = `t-${unique()}`;
    const add = (name: string, metadata: Record<string, string>, subject: string) =>
      servicesOf(nc)
        .add({ name, version: '1.0.0', metadata })
        .then((s) => {
          s.addEndpoint('execute', { subject, handler: () => {} });
          return s;
        });
    const services = [
      await add('broken-json', { 'cc.manifest': '{', 'cc.project': project }, `x.${project}.1`),
      await add(
        'no-project',
        { 'cc.manifest': JSON.stringify(manifest('no-project')) },
        `cc.${project}.agent.no-project`,
      ),
      await add(
        'wrong-subject',
        { 'cc.manifest': JSON.stringify(manifest('wrong-subject')), 'cc.project': project },
        `elsewhere.${project}`,
      ),
      await add(
        'bad-schema',
        {
          'cc.manifest': JSON.stringify({ ...manifest('bad-schema'), actions: {} }),
          'cc.project': project,
        },
        `cc.${project}.agent.bad-schema`,
      ),
    ];
    const ids = new Set(services.map((s) => s.info().id));
    try {
      const invalid: InvalidNatsService[] = [];
      const found = await discoverNatsAgents(nc, { onInvalid: (s) => invalid.push(s) });
      assert.equal(found.filter((f) => f.project === project).length, 0);
      const reasons = Object.fromEntries(
        invalid.filter((s) => ids.has(s.id)).map((s) => [s.name, s.reason]),
      );
      assert.match(reasons['broken-json'] ?? '', /cc\.manifest metadata is not JSON/);
      assert.match(reasons['no-project'] ?? '', /cc\.project metadata is missing/);
      assert.match(
        reasons['wrong-subject'] ?? '',
        new RegExp(
          `hub would call cc\\.${project}\\.agent\\.wrong-subject, but the service listens on elsewhere\\.${project}`,
        ),
      );
      assert.match(reasons['bad-schema'] ?? '', /manifest is invalid: actions/);
    } finally {
      await Promise.all(services.map((s) => s.stop()));
    }
  });

  test('NatsAgentDiscovery registers new and changed agents and logs invalid ones once', async () => {
    const project = `t-${unique()}`;
    const calls: Array<[string, Record<string, unknown>]> = [];
    const logs: string[] = [];
    const discovery = new NatsAgentDiscovery({
      servers: url!,
      intervalMs: 60_000,
      log: (line) => logs.push(line),
      register: (p, m) => {
        if (p === project) calls.push([p, m]);
        return Promise.resolve();
      },
    });
    const v1 = await serveNatsAgent(nc, { project, manifest: manifest('triager'), handlers });
    const broken = await servicesOf(nc).add({
      name: 'triager-broken',
      version: '1.0.0',
      metadata: { 'cc.manifest': '[]', 'cc.project': project },
    });
    let v2: Awaited<ReturnType<typeof serveNatsAgent>> | undefined;
    try {
      await discovery.start();
      assert.deepEqual(calls, [[project, manifest('triager')]]);

      const again = await discovery.runOnce();
      assert.equal(calls.length, 1, 'an unchanged manifest is not registered again');
      assert.ok(again.found.some((f) => f.project === project));

      await v1.stop();
      await nc.flush();
      v2 = await serveNatsAgent(nc, { project, manifest: manifest('triager', '1.1.0'), handlers });
      await discovery.runOnce();
      assert.deepEqual(calls.at(-1), [project, manifest('triager', '1.1.0')]);

      const brokenLines = logs.filter((l) => l.includes(broken.info().id));
      assert.equal(brokenLines.length, 1, `logged once: ${JSON.stringify(logs)}`);
      assert.match(brokenLines[0]!, /ignoring service triager-broken .*not a JSON object/);
    } finally {
      await discovery.stop();
      await Promise.all([v1.stop(), broken.stop(), v2?.stop()]);
    }
  });

  test('a failed registration is logged once and retried next round', async () => {
    const project = `t-${unique()}`;
    const logs: string[] = [];
    let fail = true;
    let attempts = 0;
    const discovery = new NatsAgentDiscovery({
      nc,
      log: (line) => logs.push(line),
      register: (p) => {
        if (p !== project) return Promise.resolve();
        attempts++;
        return fail ? Promise.reject(new Error('database is down')) : Promise.resolve();
      },
    });
    const service = await serveNatsAgent(nc, { project, manifest: manifest('retrier'), handlers });
    try {
      const first = await discovery.runOnce();
      await discovery.runOnce();
      assert.equal(first.failed.filter((f) => f.agent.project === project).length, 1);
      assert.equal(attempts, 2);
      const errors = logs.filter((l) => l.includes(`cannot register ${project}/retrier`));
      assert.equal(errors.length, 1);
      fail = false;
      const third = await discovery.runOnce();
      assert.equal(third.registered.filter((f) => f.project === project).length, 1);
    } finally {
      await discovery.stop();
      await service.stop();
    }
  });
});

describe('nats discovery without a server', () => {
  test('a round that cannot reach NATS is logged, and start() does not reject', async () => {
    const logs: string[] = [];
    const discovery = new NatsAgentDiscovery({
      servers: 'nats://127.0.0.1:1',
      register: () => Promise.resolve(),
      log: (line) => logs.push(line),
    });
    await discovery.start();
    await discovery.stop();
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /nats discovery: round failed: /);
  });
});
