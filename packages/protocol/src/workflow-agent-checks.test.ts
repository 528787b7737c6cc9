import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentManifest } from './agent-types.js';
import { validateAgentManifest } from './validate-agent.js';
import { validateWorkflow } from './validate-workflow.js';

function agent(doc: Record<string, unknown>): AgentManifest {
  const result = validateAgentManifest(doc);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.agent;
}

const registry = new Map<string, AgentManifest>([
  [
    'notifier',
    agent({
      name: 'notifier',
      version: '1.0.0',
      type: 'builtin',
      actions: {
        send: {
          input: {
            type: 'object',
            additionalProperties: false,
            required: ['channel', 'message'],
            properties: {
              channel: { enum: ['slack', 'discord', 'email', 'log'] },
              message: { type: 'string', minLength: 1 },
              priority: { type: 'integer', minimum: 1, maximum: 5 },
              tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
            },
          },
        },
      },
    }),
  ],
  [
    'security-scanner',
    agent({
      name: 'security-scanner',
      version: '2.1.0',
      type: 'process',
      runtime: { command: ['node', 'scan.js'] },
      actions: { scan: { input: { type: 'object', required: ['path'] } } },
    }),
  ],
]);

const options = { agents: (name: string) => registry.get(name), agentNames: registry.keys() };

function workflow(notifyInputs: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name: 'flow',
    nodes: [
      { id: 'scan', agent: 'security-scanner', action: 'scan', inputs: { path: '.' } },
      {
        id: 'notify',
        agent: 'notifier',
        action: 'send',
        dependsOn: ['scan'],
        inputs: notifyInputs,
        ...extra,
      },
    ],
  };
}

function problems(doc: unknown): string[] {
  const result = validateWorkflow(doc, { ...options, agentNames: registry.keys() });
  return result.ok ? [] : result.problems.map((p) => `${p.code} @ ${p.path}: ${p.message}`);
}

describe('validateWorkflow with registered agents', () => {
  it('accepts matching literal and templated inputs', () => {
    assert.deepEqual(problems(workflow({ channel: 'slack', message: 'hi', priority: 2 })), []);
    assert.deepEqual(
      problems(workflow({ channel: '{{ input.channel }}', message: '{{ nodes.scan.output }}' })),
      [],
    );
  });

  it('reports an unknown agent with a suggestion', () => {
    const doc = workflow({ channel: 'slack', message: 'hi' }, { agent: 'notifer' });
    const result = validateWorkflow(doc, { ...options, agentNames: registry.keys() });
    assert.ok(!result.ok);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]!.code, 'CC_E_WORKFLOW_UNKNOWN_AGENT');
    assert.equal(result.problems[0]!.path, 'nodes[1].agent');
    assert.match(result.problems[0]!.fix, /Did you mean "notifier"\?/);
  });

  it('reports an unknown action listing the real ones', () => {
    const doc = workflow({ channel: 'slack', message: 'hi' }, { action: 'sned' });
    const result = validateWorkflow(doc, options);
    assert.ok(!result.ok);
    assert.equal(result.problems[0]!.code, 'CC_E_WORKFLOW_UNKNOWN_ACTION');
    assert.equal(result.problems[0]!.path, 'nodes[1].action');
    assert.match(result.problems[0]!.fix, /Did you mean "send"\?.*Actions of notifier: send/);
  });

  it('reports missing required inputs, even next to templated ones', () => {
    assert.deepEqual(problems(workflow({ message: '{{ nodes.scan.output.summary }}' })), [
      'CC_E_WORKFLOW_INPUT_MISSING @ nodes[1].inputs.channel: Node "notify": inputs.channel is required by notifier.send.',
    ]);
    assert.deepEqual(problems({ ...workflow({}), nodes: [workflow({}).nodes[0]] }), []);
    const scanWithoutInputs = workflow({ channel: 'log', message: 'x' });
    delete (scanWithoutInputs.nodes[0] as { inputs?: unknown }).inputs;
    assert.deepEqual(problems(scanWithoutInputs), [
      'CC_E_WORKFLOW_INPUT_MISSING @ nodes[0].inputs.path: Node "scan": inputs.path is required by security-scanner.scan.',
    ]);
  });

  it('reports literal values that cannot match', () => {
    assert.deepEqual(
      problems(
        workflow({ channel: 'sms', message: '', priority: '2', tags: ['a', 'b', 'c', 'd'] }),
      ),
      [
        'CC_E_WORKFLOW_INPUT_MISMATCH @ nodes[1].inputs.channel: Node "notify": inputs.channel must be one of "slack", "discord", "email", "log" (got "sms") for notifier.send.',
        'CC_E_WORKFLOW_INPUT_MISMATCH @ nodes[1].inputs.message: Node "notify": inputs.message must not be empty for notifier.send.',
        'CC_E_WORKFLOW_INPUT_MISMATCH @ nodes[1].inputs.priority: Node "notify": inputs.priority must be an integer (got string "2") for notifier.send.',
        'CC_E_WORKFLOW_INPUT_MISMATCH @ nodes[1].inputs.tags: Node "notify": inputs.tags must have at most 3 items for notifier.send.',
      ],
    );
  });

  it('reports unknown input keys with a suggestion', () => {
    const result = validateWorkflow(workflow({ channel: 'slack', mesage: 'hi' }), options);
    assert.ok(!result.ok);
    const unknown = result.problems.find((p) => p.path === 'nodes[1].inputs.mesage')!;
    assert.equal(unknown.code, 'CC_E_WORKFLOW_INPUT_MISMATCH');
    assert.match(unknown.fix, /Did you mean "message"\?/);
  });

  it('skips checks that depend on templated values', () => {
    // Whole templates may yield any type; embedded templates are strings of unknown content.
    assert.deepEqual(
      problems(workflow({ channel: '{{ input.c }}', message: 'x', priority: '{{ input.p }}' })),
      [],
    );
    assert.deepEqual(problems(workflow({ channel: 'log', message: '{{ input.m }}!' })), []);
    assert.deepEqual(
      problems(workflow({ channel: 'log', message: 'x', priority: 'p{{ input.p }}' })),
      [
        'CC_E_WORKFLOW_INPUT_MISMATCH @ nodes[1].inputs.priority: Node "notify": inputs.priority must be an integer (got string "p{{ input.p }}") for notifier.send.',
      ],
    );
    // An array holding a template still has a known length.
    assert.equal(
      problems(workflow({ channel: 'log', message: 'x', tags: ['{{ input.t }}', 'b', 'c', 'd'] }))
        .length,
      1,
    );
  });

  it('does not check agents when no lookup is given', () => {
    const result = validateWorkflow(workflow({}, { agent: 'nobody' }));
    assert.ok(result.ok);
  });
});
