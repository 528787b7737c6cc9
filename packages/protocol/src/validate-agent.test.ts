import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveRisk, requiresApproval, riskAtLeast } from './risk.js';
import { validateAgentManifest } from './validate-agent.js';

// Test documents are edited freely, field by field, to produce each malformed variant.

type Doc = Record<string, any>;

function processAgent(): Doc {
  return {
    name: 'security-scanner',
    version: '1.4.0-beta.1+build.7',
    type: 'process',
    description: 'Finds secrets and risky code',
    risk: 'medium',
    concurrency: 4,
    runtime: {
      command: ['node', 'scan.js'],
      env: { MODE: 'strict' },
      envAllowlist: ['PATH', 'HOME'],
      secrets: ['GH_TOKEN'],
      timeout: '2m',
      maxOutputBytes: 1_048_576,
    },
    actions: {
      scan: {
        input: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        output: { type: 'object' },
      },
      fix: { risk: 'high' },
    },
  };
}

const problemPairs = (doc: unknown): string[] => {
  const result = validateAgentManifest(doc);
  assert.equal(result.ok, false, 'expected an invalid manifest');
  return result.ok ? [] : result.problems.map((p) => `${p.code} @ ${p.path}`).sort();
};

describe('validateAgentManifest: valid manifests', () => {
  it('normalizes a process agent', () => {
    const result = validateAgentManifest(processAgent());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    const { agent } = result;
    assert.equal(agent.type, 'process');
    assert.equal(agent.concurrency, 4);
    assert.deepEqual(agent.runtime, {
      command: ['node', 'scan.js'],
      env: { MODE: 'strict' },
      envAllowlist: ['PATH', 'HOME'],
      secrets: ['GH_TOKEN'],
      timeoutMs: 120_000,
      maxOutputBytes: 1_048_576,
    });
    assert.deepEqual(agent.source, processAgent());
    assert.deepEqual(result.warnings, []);
  });

  it('applies defaults and accepts each agent type', () => {
    const cases: Doc[] = [
      {
        type: 'http',
        runtime: {
          url: 'https://agents.example.com/scan',
          headers: { Authorization: 'Bearer {{ secrets.TOKEN }}' },
        },
      },
      { type: 'nats' },
      { type: 'nats', runtime: { subject: 'cc.default.agent.custom', timeout: '30s' } },
      {
        type: 'llm',
        runtime: {
          model: 'gpt-4o-mini',
          prompt: 'Review {{ input.file }}',
          apiKeySecret: 'OPENAI_KEY',
        },
      },
      { type: 'builtin' },
    ];
    for (const extra of cases) {
      const result = validateAgentManifest({
        name: 'a',
        version: '0.1.0',
        actions: { run: {} },
        ...extra,
      });
      assert.ok(result.ok, `${extra.type}: ${JSON.stringify(!result.ok && result.problems)}`);
      assert.equal(result.agent.risk, 'low');
      assert.equal(result.agent.description, '');
    }
  });

  it('computes the effective risk of an action', () => {
    const result = validateAgentManifest(processAgent());
    assert.ok(result.ok);
    assert.equal(effectiveRisk(result.agent, 'scan'), 'medium');
    assert.equal(effectiveRisk(result.agent, 'fix'), 'high');
    assert.equal(effectiveRisk(result.agent, 'unknown'), 'medium');
  });

  it('warns about unknown keywords in action schemas', () => {
    const doc = processAgent();
    doc.actions.scan.input = { type: 'object', requird: ['path'] };
    const result = validateAgentManifest(doc);
    assert.ok(result.ok);
    assert.equal(result.warnings[0]!.code, 'CC_W_SCHEMA_STRICT');
    assert.equal(result.warnings[0]!.path, 'actions.scan.input');
  });
});

describe('validateAgentManifest: bad manifests', () => {
  const cases: Array<{ name: string; edit: (d: Doc) => void; expect: string[] }> = [
    {
      name: 'uppercase name',
      edit: (d) => void (d.name = 'Scanner'),
      expect: ['CC_E_AGENT_NAME @ name'],
    },
    {
      name: 'version as a YAML number',
      edit: (d) => void (d.version = 1.2),
      expect: ['CC_E_AGENT_VERSION @ version'],
    },
    {
      name: 'two-part version',
      edit: (d) => void (d.version = '1.2'),
      expect: ['CC_E_AGENT_VERSION @ version'],
    },
    {
      name: 'version with leading v',
      edit: (d) => void (d.version = 'v1.2.3'),
      expect: ['CC_E_AGENT_VERSION @ version'],
    },
    {
      name: 'version with leading zero',
      edit: (d) => void (d.version = '01.2.3'),
      expect: ['CC_E_AGENT_VERSION @ version'],
    },
    {
      name: 'unknown type',
      edit: (d) => void (d.type = 'docker'),
      expect: ['CC_E_AGENT_TYPE @ type'],
    },
    {
      name: 'unknown risk',
      edit: (d) => void (d.risk = 'extreme'),
      expect: ['CC_E_AGENT_RISK @ risk'],
    },
    {
      name: 'unknown action risk',
      edit: (d) => void (d.actions.fix.risk = 'meh'),
      expect: ['CC_E_AGENT_RISK @ actions.fix.risk'],
    },
    {
      name: 'process without runtime',
      edit: (d) => void delete d.runtime,
      expect: ['CC_E_AGENT_RUNTIME @ runtime'],
    },
    {
      name: 'process without command',
      edit: (d) => void delete d.runtime.command,
      expect: ['CC_E_SCHEMA_MISSING_FIELD @ runtime.command'],
    },
    {
      name: 'empty command list',
      edit: (d) => void (d.runtime.command = []),
      expect: ['CC_E_AGENT_RUNTIME @ runtime.command'],
    },
    {
      name: 'misspelt runtime field',
      edit: (d) => void (d.runtime.persistant = true),
      expect: ['CC_E_SCHEMA_UNKNOWN_FIELD @ runtime.persistant'],
    },
    {
      name: 'bad runtime timeout',
      edit: (d) => void (d.runtime.timeout = 30),
      expect: ['CC_E_DURATION @ runtime.timeout'],
    },
    {
      name: 'bad secret name',
      edit: (d) => void (d.runtime.secrets = ['gh-token']),
      expect: ['CC_E_AGENT_RUNTIME @ runtime.secrets[0]'],
    },
    {
      name: 'http without url',
      edit: (d) => void Object.assign(d, { type: 'http', runtime: {} }),
      expect: ['CC_E_SCHEMA_MISSING_FIELD @ runtime.url'],
    },
    {
      name: 'http with ftp url',
      edit: (d) => void Object.assign(d, { type: 'http', runtime: { url: 'ftp://x' } }),
      expect: ['CC_E_AGENT_RUNTIME @ runtime.url'],
    },
    {
      name: 'llm with an empty model',
      edit: (d) => void Object.assign(d, { type: 'llm', runtime: { model: '', prompt: 'x' } }),
      expect: ['CC_E_AGENT_RUNTIME @ runtime.model'],
    },
    {
      name: 'llm action without prompt',
      edit: (d) =>
        void Object.assign(d, { type: 'llm', runtime: { model: 'm' }, actions: { review: {} } }),
      expect: ['CC_E_AGENT_RUNTIME @ actions.review.prompt'],
    },
    {
      name: 'prompt on a process agent',
      edit: (d) => void (d.actions.scan.prompt = 'x'),
      expect: ['CC_E_AGENT_RUNTIME @ actions.scan.prompt'],
    },
    {
      name: 'builtin with runtime settings',
      edit: (d) => void Object.assign(d, { type: 'builtin', runtime: { command: 'x' } }),
      expect: ['CC_E_SCHEMA_UNKNOWN_FIELD @ runtime.command'],
    },
    {
      name: 'no actions',
      edit: (d) => void (d.actions = {}),
      expect: ['CC_E_AGENT_NO_ACTIONS @ actions'],
    },
    {
      name: 'bad action name',
      edit: (d) => void (d.actions['scan all'] = {}),
      expect: ['CC_E_AGENT_ACTION_NAME @ actions["scan all"]'],
    },
    {
      name: 'invalid input schema',
      edit: (d) => void (d.actions.scan.input = { type: 'objekt' }),
      expect: ['CC_E_AGENT_ACTION_SCHEMA @ actions.scan.input.type'],
    },
    {
      name: 'input schema not an object',
      edit: (d) => void (d.actions.scan.output = 'object'),
      expect: ['CC_E_AGENT_ACTION_SCHEMA @ actions.scan.output'],
    },
    {
      name: 'unresolvable $ref in output schema',
      edit: (d) => void (d.actions.scan.output = { $ref: '#/$defs/missing' }),
      expect: ['CC_E_AGENT_ACTION_SCHEMA @ actions.scan.output'],
    },
    {
      name: 'header template reading input',
      edit: (d) =>
        void Object.assign(d, {
          type: 'http',
          runtime: { url: 'https://x.dev', headers: { 'X-Repo': '{{ input.repo }}' } },
        }),
      expect: ['CC_E_TEMPLATE_ROOT_UNAVAILABLE @ runtime.headers["X-Repo"]'],
    },
    {
      name: 'concurrency 0',
      edit: (d) => void (d.concurrency = 0),
      expect: ['CC_E_SCHEMA_INVALID_VALUE @ concurrency'],
    },
    {
      name: 'missing version and type',
      edit: (d) => void (delete d.version, delete d.type),
      expect: ['CC_E_SCHEMA_MISSING_FIELD @ type', 'CC_E_SCHEMA_MISSING_FIELD @ version'],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const doc = processAgent();
      c.edit(doc);
      assert.deepEqual(problemPairs(doc), [...c.expect].sort());
    });
  }

  it('reports all problems at once, with fixes', () => {
    const result = validateAgentManifest({
      name: 'X',
      version: '1',
      type: 'process',
      risk: 'none',
      actions: {},
    });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => p.code).sort(), [
      'CC_E_AGENT_NAME',
      'CC_E_AGENT_NO_ACTIONS',
      'CC_E_AGENT_RISK',
      'CC_E_AGENT_RUNTIME',
      'CC_E_AGENT_VERSION',
    ]);
    const version = result.problems.find((p) => p.code === 'CC_E_AGENT_VERSION')!;
    assert.match(version.message, /"1" is not a valid semantic version/);
    assert.match(version.fix, /MAJOR\.MINOR\.PATCH/);
  });

  it('rejects a non-object manifest', () => {
    assert.deepEqual(problemPairs('name: x'), ['CC_E_SCHEMA_WRONG_TYPE @ ']);
  });
});

describe('risk', () => {
  it('orders levels', () => {
    assert.equal(riskAtLeast('critical', 'high'), true);
    assert.equal(riskAtLeast('medium', 'high'), false);
  });

  it('decides approvals as SPEC §5 says', () => {
    assert.equal(requiresApproval({ risk: 'low' }), false);
    assert.equal(requiresApproval({ risk: 'high' }), true);
    assert.equal(requiresApproval({ risk: 'low', approval: 'required' }), true);
    assert.equal(requiresApproval({ risk: 'critical', approval: 'auto' }), false);
    assert.equal(requiresApproval({ risk: 'critical', approval: 'auto', allowAuto: false }), true);
    assert.equal(requiresApproval({ risk: 'medium', threshold: 'medium' }), true);
  });
});
