import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Problem } from './errors.js';
import { validateWorkflow } from './validate-workflow.js';

// Test documents are edited freely, field by field, to produce each malformed variant.

type Doc = Record<string, any>;

/** A small valid workflow every bad case starts from. */
function base(): Doc {
  return {
    name: 'audit',
    inputs: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
    triggers: [{ manual: {} }],
    nodes: [
      {
        id: 'scan',
        agent: 'security-scanner',
        action: 'scan',
        inputs: { path: '{{ input.repo }}' },
      },
      {
        id: 'notify',
        agent: 'notifier',
        action: 'send',
        dependsOn: ['scan'],
        inputs: { channel: 'slack', message: '{{ nodes.scan.output.summary }}' },
      },
    ],
  };
}

function problemsOf(doc: unknown): Problem[] {
  const result = validateWorkflow(doc);
  assert.equal(result.ok, false, 'expected the workflow to be invalid');
  return result.ok ? [] : result.problems;
}

const pairs = (problems: Problem[]): string[] =>
  problems.map((p) => `${p.code} @ ${p.path}`).sort();

interface BadCase {
  name: string;
  edit: (doc: Doc) => unknown;
  expect: Array<[code: string, path: string]>;
  /** Substrings of the first problem's message. */
  message?: string[];
  /** Substring of the first problem's fix. */
  fix?: string;
}

const nodes = (doc: Doc): Doc[] => doc.nodes as Doc[];

const badCases: BadCase[] = [
  {
    name: 'missing name',
    edit: (d) => void delete d.name,
    expect: [['CC_E_SCHEMA_MISSING_FIELD', 'name']],
    fix: 'Add `name:` at the top level',
  },
  {
    name: 'name with uppercase and underscore',
    edit: (d) => void (d.name = 'Audit_Flow'),
    expect: [['CC_E_WORKFLOW_NAME', 'name']],
    message: ['"Audit_Flow"', 'workflow name'],
  },
  {
    name: 'name longer than 63 characters',
    edit: (d) => void (d.name = 'a'.repeat(64)),
    expect: [['CC_E_WORKFLOW_NAME', 'name']],
  },
  {
    name: 'misspelt top-level field',
    edit: (d) => void (d.descripton = 'x'),
    expect: [['CC_E_SCHEMA_UNKNOWN_FIELD', 'descripton']],
    fix: 'Did you mean "description"?',
  },
  {
    name: 'empty nodes',
    edit: (d) => void (d.nodes = []),
    expect: [['CC_E_WORKFLOW_NO_NODES', 'nodes']],
  },
  {
    name: 'nodes is not a list',
    edit: (d) => void (d.nodes = 'scan'),
    expect: [['CC_E_SCHEMA_WRONG_TYPE', 'nodes']],
    message: ['must be an array'],
  },
  {
    name: 'node without agent',
    edit: (d) => void delete nodes(d)[0]!.agent,
    expect: [['CC_E_SCHEMA_MISSING_FIELD', 'nodes[0].agent']],
    message: ['Node "scan": agent is required'],
  },
  {
    name: 'misspelt node field',
    edit: (d) => void (nodes(d)[1]!.retyr = { attempts: 3 }),
    expect: [['CC_E_SCHEMA_UNKNOWN_FIELD', 'nodes[1].retyr']],
    message: ['Node "notify"'],
    fix: 'Did you mean "retry"?',
  },
  {
    name: 'node id with a dash',
    edit: (d) => void (nodes(d)[1]!.id = 'notify-team'),
    expect: [['CC_E_WORKFLOW_NODE_ID', 'nodes[1].id']],
    message: ['"notify-team"', 'node id'],
  },
  {
    name: 'node id starting with a digit',
    edit: (d) => void nodes(d).push({ id: '2nd', agent: 'a', action: 'b' }),
    expect: [['CC_E_WORKFLOW_NODE_ID', 'nodes[2].id']],
  },
  {
    name: 'duplicate node id',
    edit: (d) => void nodes(d).push({ id: 'scan', agent: 'a', action: 'b' }),
    expect: [['CC_E_WORKFLOW_DUPLICATE_NODE_ID', 'nodes[2].id']],
    message: ['"scan"', 'nodes[0] and nodes[2]'],
  },
  {
    name: 'unknown dependency (and the reference it should have allowed)',
    edit: (d) => void (nodes(d)[1]!.dependsOn = ['scna']),
    expect: [
      ['CC_E_WORKFLOW_UNKNOWN_DEPENDENCY', 'nodes[1].dependsOn[0]'],
      ['CC_E_TEMPLATE_NOT_UPSTREAM', 'nodes[1].inputs.message'],
    ],
    message: ['Node "notify" depends on "scna"'],
    fix: 'Did you mean "scan"?',
  },
  {
    name: 'self dependency',
    edit: (d) => void (nodes(d)[0]!.dependsOn = ['scan']),
    expect: [['CC_E_WORKFLOW_SELF_DEPENDENCY', 'nodes[0].dependsOn[0]']],
    message: ['Node "scan" depends on itself'],
  },
  {
    name: 'two-node cycle',
    edit: (d) => void (nodes(d)[0]!.dependsOn = ['notify']),
    expect: [['CC_E_WORKFLOW_CYCLE', 'nodes[0].dependsOn[0]']],
    message: ['scan → notify → scan'],
  },
  {
    name: 'three-node cycle',
    edit: (d) => {
      d.nodes = [
        { id: 'a', agent: 'x', action: 'y', dependsOn: ['b'] },
        { id: 'b', agent: 'x', action: 'y', dependsOn: ['c'] },
        { id: 'c', agent: 'x', action: 'y', dependsOn: ['a'] },
      ];
    },
    expect: [['CC_E_WORKFLOW_CYCLE', 'nodes[0].dependsOn[0]']],
    message: ['a → b → c → a'],
  },
  {
    name: 'dependsOn is a string',
    edit: (d) => void (nodes(d)[1]!.dependsOn = 'scan'),
    expect: [
      ['CC_E_SCHEMA_WRONG_TYPE', 'nodes[1].dependsOn'],
      ['CC_E_TEMPLATE_NOT_UPSTREAM', 'nodes[1].inputs.message'],
    ],
  },
  {
    name: 'template syntax error',
    edit: (d) => void (nodes(d)[1]!.inputs.message = 'found {{ nodes.scan.output. }}'),
    expect: [['CC_E_TEMPLATE_SYNTAX', 'nodes[1].inputs.message']],
    message: ['Node "notify"', 'inputs.message'],
  },
  {
    name: 'unclosed template',
    edit: (d) => void (nodes(d)[0]!.inputs.path = '{{ input.repo '),
    expect: [['CC_E_TEMPLATE_SYNTAX', 'nodes[0].inputs.path']],
    message: ['unclosed "{{"'],
  },
  {
    name: 'template syntax error deep inside an array',
    edit: (d) => void (nodes(d)[1]!.inputs.attachments = [{ name: 'ok' }, { name: '{{ ( }}' }]),
    expect: [['CC_E_TEMPLATE_SYNTAX', 'nodes[1].inputs.attachments[1].name']],
  },
  {
    name: 'misspelt template root',
    edit: (d) => void (nodes(d)[0]!.inputs.path = '{{ inptu.repo }}'),
    expect: [['CC_E_TEMPLATE_UNKNOWN_ROOT', 'nodes[0].inputs.path']],
    message: ['"inptu"'],
    fix: 'Did you mean "input"?',
  },
  {
    name: 'reference to a downstream node',
    edit: (d) => void (nodes(d)[0]!.inputs.path = '{{ nodes.notify.output.x }}'),
    expect: [['CC_E_TEMPLATE_NOT_UPSTREAM', 'nodes[0].inputs.path']],
    message: ['node "notify", which is not upstream of node "scan"'],
    fix: 'Add "notify" to the dependsOn list of node "scan"',
  },
  {
    name: 'reference to an unrelated node',
    edit: (d) => {
      nodes(d).push({ id: 'other', agent: 'x', action: 'y' });
      nodes(d)[1]!.inputs.extra = '{{ nodes.other.output }}';
    },
    expect: [['CC_E_TEMPLATE_NOT_UPSTREAM', 'nodes[1].inputs.extra']],
  },
  {
    name: 'reference to its own output',
    edit: (d) => void (nodes(d)[1]!.inputs.again = '{{ nodes.notify.output }}'),
    expect: [['CC_E_TEMPLATE_NOT_UPSTREAM', 'nodes[1].inputs.again']],
    message: ["the node's own output"],
  },
  {
    name: 'reference to a node that does not exist',
    edit: (d) => void (nodes(d)[1]!.inputs.message = '{{ nodes.scna.output }}'),
    expect: [['CC_E_TEMPLATE_UNKNOWN_NODE', 'nodes[1].inputs.message']],
    fix: 'Did you mean "scan"?',
  },
  {
    name: 'item without forEach',
    edit: (d) => void (nodes(d)[1]!.inputs.file = 'file {{ item }}'),
    expect: [['CC_E_TEMPLATE_ITEM_OUTSIDE_FOREACH', 'nodes[1].inputs.file']],
  },
  {
    name: 'item in the when of a forEach node',
    edit: (d) => {
      nodes(d)[1]!.forEach = '{{ nodes.scan.output.files }}';
      nodes(d)[1]!.when = '{{ item.size > 0 }}';
    },
    expect: [['CC_E_TEMPLATE_ROOT_UNAVAILABLE', 'nodes[1].when']],
    message: ['"item", which is not available in when', 'before the forEach fan-out'],
  },
  {
    name: 'forEach is a plain string',
    edit: (d) => void (nodes(d)[1]!.forEach = 'nodes.scan.output.files'),
    expect: [['CC_E_WORKFLOW_FOREACH', 'nodes[1].forEach']],
  },
  {
    name: 'forEach is a number',
    edit: (d) => void (nodes(d)[1]!.forEach = 5),
    expect: [['CC_E_WORKFLOW_FOREACH', 'nodes[1].forEach']],
  },
  {
    name: 'when is not a template',
    edit: (d) => void (nodes(d)[1]!.when = 'nodes.scan.output.ok'),
    expect: [['CC_E_TEMPLATE_SYNTAX', 'nodes[1].when']],
    fix: '"{{ nodes.scan.output.ok }}"',
  },
  {
    name: 'garbage duration',
    edit: (d) => void (nodes(d)[0]!.timeout = 'soon'),
    expect: [['CC_E_DURATION', 'nodes[0].timeout']],
    message: ['"soon"'],
  },
  {
    name: 'negative duration',
    edit: (d) => void (nodes(d)[0]!.approvalTimeout = '-5s'),
    expect: [['CC_E_DURATION', 'nodes[0].approvalTimeout']],
  },
  {
    name: 'duration without unit',
    edit: (d) => void (d.timeout = 30),
    expect: [['CC_E_DURATION', 'timeout']],
  },
  {
    name: 'zero timeout',
    edit: (d) => void (nodes(d)[0]!.timeout = '0s'),
    expect: [['CC_E_DURATION', 'nodes[0].timeout']],
    message: ['greater than 0'],
  },
  {
    name: 'retry attempts 0',
    edit: (d) => void (nodes(d)[0]!.retry = { attempts: 0 }),
    expect: [['CC_E_WORKFLOW_RETRY', 'nodes[0].retry.attempts']],
    message: ['must be at least 1'],
  },
  {
    name: 'retry attempts above 100',
    edit: (d) => void (nodes(d)[0]!.retry = { attempts: 101 }),
    expect: [['CC_E_WORKFLOW_RETRY', 'nodes[0].retry.attempts']],
  },
  {
    name: 'retry attempts not an integer',
    edit: (d) => void (nodes(d)[0]!.retry = { attempts: 2.5 }),
    expect: [['CC_E_SCHEMA_WRONG_TYPE', 'nodes[0].retry.attempts']],
    message: ['must be an integer'],
    fix: 'Write an integer here (without quotes).',
  },
  {
    name: 'unknown backoff',
    edit: (d) => void (nodes(d)[0]!.retry = { backoff: 'exponentail' }),
    expect: [['CC_E_WORKFLOW_RETRY', 'nodes[0].retry.backoff']],
    fix: 'Did you mean "exponential"?',
  },
  {
    name: 'maxDelay below delay',
    edit: (d) => void (nodes(d)[0]!.retry = { delay: '2m', maxDelay: '1m' }),
    expect: [['CC_E_WORKFLOW_RETRY', 'nodes[0].retry.maxDelay']],
  },
  {
    name: 'misspelt retry field',
    edit: (d) => void (nodes(d)[0]!.retry = { tries: 3 }),
    expect: [['CC_E_SCHEMA_UNKNOWN_FIELD', 'nodes[0].retry.tries']],
  },
  {
    name: 'concurrency limit 0',
    edit: (d) => void (d.concurrency = { limit: 0 }),
    expect: [['CC_E_WORKFLOW_CONCURRENCY', 'concurrency.limit']],
  },
  {
    name: 'concurrency without limit',
    edit: (d) => void (d.concurrency = { key: '{{ input.repo }}' }),
    expect: [['CC_E_SCHEMA_MISSING_FIELD', 'concurrency.limit']],
  },
  {
    name: 'concurrency key reading node outputs',
    edit: (d) => void (d.concurrency = { limit: 1, key: '{{ nodes.scan.output.x }}' }),
    expect: [['CC_E_TEMPLATE_ROOT_UNAVAILABLE', 'concurrency.key']],
  },
  {
    name: 'cron hour out of range',
    edit: (d) => void (d.triggers = [{ cron: '0 25 * * *' }]),
    expect: [['CC_E_WORKFLOW_CRON', 'triggers[0].cron']],
    message: ['hour field "25"'],
  },
  {
    name: 'cron with three fields',
    edit: (d) => void (d.triggers = [{ cron: '* * *' }]),
    expect: [['CC_E_WORKFLOW_CRON', 'triggers[0].cron']],
    message: ['has 3 fields'],
  },
  {
    name: 'trigger with two kinds',
    edit: (d) => void (d.triggers = [{ manual: {}, webhook: 'deploy' }]),
    expect: [['CC_E_WORKFLOW_TRIGGER', 'triggers[0]']],
    message: ['several kinds (webhook, manual)'],
  },
  {
    name: 'trigger without kind',
    edit: (d) => void (d.triggers = [{}]),
    expect: [['CC_E_WORKFLOW_TRIGGER', 'triggers[0]']],
  },
  {
    name: 'misspelt trigger kind',
    edit: (d) => void (d.triggers = [{ evnt: 'audit.fail' }]),
    expect: [
      ['CC_E_SCHEMA_UNKNOWN_FIELD', 'triggers[0].evnt'],
      ['CC_E_WORKFLOW_TRIGGER', 'triggers[0]'],
    ],
    fix: 'Did you mean "event"?',
  },
  {
    name: 'timezone on an event trigger',
    edit: (d) => void (d.triggers = [{ event: 'audit.fail', timezone: 'UTC' }]),
    expect: [['CC_E_WORKFLOW_TRIGGER', 'triggers[0].timezone']],
  },
  {
    name: 'unknown time zone',
    edit: (d) => void (d.triggers = [{ cron: '@daily', timezone: 'Mars/Olympus' }]),
    expect: [['CC_E_WORKFLOW_TIMEZONE', 'triggers[0].timezone']],
  },
  {
    name: 'invalid catchUp',
    edit: (d) => void (d.triggers = [{ cron: '@daily', catchUp: 'later' }]),
    expect: [['CC_E_WORKFLOW_TRIGGER', 'triggers[0].catchUp']],
  },
  {
    name: 'event subject with ">" in the middle',
    edit: (d) => void (d.triggers = [{ event: 'audit.>.fail' }]),
    expect: [['CC_E_WORKFLOW_TRIGGER', 'triggers[0].event']],
  },
  {
    name: 'trigger when reading the run input',
    edit: (d) => void (d.triggers = [{ event: 'audit.fail', when: '{{ input.repo }}' }]),
    expect: [['CC_E_TEMPLATE_ROOT_UNAVAILABLE', 'triggers[0].when']],
  },
  {
    name: 'webhook name with spaces',
    edit: (d) => void (d.triggers = [{ webhook: 'Deploy Hook' }]),
    expect: [['CC_E_WORKFLOW_TRIGGER', 'triggers[0].webhook']],
  },
  {
    name: 'inputs with an unknown type',
    edit: (d) => void (d.inputs = { type: 'objekt' }),
    expect: [['CC_E_WORKFLOW_INPUT_SCHEMA', 'inputs.type']],
  },
  {
    name: 'inputs.properties not an object',
    edit: (d) => void (d.inputs = { type: 'object', properties: 5 }),
    expect: [['CC_E_WORKFLOW_INPUT_SCHEMA', 'inputs.properties']],
  },
  {
    name: 'invalid approval mode',
    edit: (d) => void (nodes(d)[1]!.approval = 'maybe'),
    expect: [['CC_E_SCHEMA_INVALID_VALUE', 'nodes[1].approval']],
    fix: 'required, auto',
  },
  {
    name: 'invalid onFailure',
    edit: (d) => void (nodes(d)[1]!.onFailure = 'ignore'),
    expect: [['CC_E_SCHEMA_INVALID_VALUE', 'nodes[1].onFailure']],
  },
  {
    name: 'UI position with a string coordinate',
    edit: (d) => void (d.ui = { positions: { scan: { x: '10', y: 0 } } }),
    expect: [['CC_E_WORKFLOW_UI', 'ui.positions.scan.x']],
  },
  {
    name: 'dynamic secret access',
    edit: (d) => void (nodes(d)[0]!.inputs.token = "{{ $lookup(secrets, 'TOKEN') }}"),
    expect: [['CC_E_TEMPLATE_SECRET_REF', 'nodes[0].inputs.token']],
  },
  {
    name: 'node inputs is a string',
    edit: (d) => void (nodes(d)[0]!.inputs = '{{ input }}'),
    expect: [['CC_E_SCHEMA_WRONG_TYPE', 'nodes[0].inputs']],
  },
  {
    name: 'the document is a list',
    edit: (d) => [d],
    expect: [['CC_E_SCHEMA_WRONG_TYPE', '']],
  },
  {
    name: 'a function value in an already-parsed document',
    edit: (d) => void (nodes(d)[0]!.inputs.fn = () => 1),
    expect: [['CC_E_SCHEMA_WRONG_TYPE', 'nodes[0].inputs.fn']],
  },
];

describe('validateWorkflow: bad definitions', () => {
  it('has at least 30 distinct cases', () => {
    assert.ok(badCases.length >= 30);
    assert.equal(new Set(badCases.map((c) => c.name)).size, badCases.length);
  });

  for (const c of badCases) {
    it(c.name, () => {
      const doc = base();
      const edited = c.edit(doc);
      const problems = problemsOf(edited === undefined ? doc : edited);
      assert.deepEqual(pairs(problems), c.expect.map(([code, path]) => `${code} @ ${path}`).sort());
      const first = problems.find((p) => p.code === c.expect[0]![0] && p.path === c.expect[0]![1])!;
      for (const text of c.message ?? []) assert.match(first.message, new RegExp(escape(text)));
      if (c.fix !== undefined) assert.match(first.fix, new RegExp(escape(c.fix)));
      for (const p of problems) assert.ok(p.fix.length > 10, `${p.code} has a fix`);
    });
  }
});

describe('validateWorkflow: all problems at once', () => {
  it('reports every problem of a document with many different mistakes', () => {
    const doc = base();
    doc.name = 'Bad Name';
    doc.extra = true;
    doc.triggers = [{ cron: '61 * * * *' }];
    nodes(doc)[0]!.retry = { attempts: 0, delay: 'fast' };
    nodes(doc)[0]!.inputs.path = '{{ inptu.repo }}';
    nodes(doc)[1]!.dependsOn = ['scan', 'ghost'];
    nodes(doc)[1]!.when = '{{ nodes.scan.output.count > }}';
    nodes(doc).push({ id: 'scan', agent: 'x', action: 'y' });
    nodes(doc).push({ id: 'loop_a', agent: 'x', action: 'y', dependsOn: ['loop_b'] });
    nodes(doc).push({ id: 'loop_b', agent: 'x', action: 'y', dependsOn: ['loop_a'] });
    const problems = problemsOf(doc);
    assert.deepEqual(pairs(problems), [
      'CC_E_DURATION @ nodes[0].retry.delay',
      'CC_E_SCHEMA_UNKNOWN_FIELD @ extra',
      'CC_E_TEMPLATE_SYNTAX @ nodes[1].when',
      'CC_E_TEMPLATE_UNKNOWN_ROOT @ nodes[0].inputs.path',
      'CC_E_WORKFLOW_CRON @ triggers[0].cron',
      'CC_E_WORKFLOW_CYCLE @ nodes[3].dependsOn[0]',
      'CC_E_WORKFLOW_DUPLICATE_NODE_ID @ nodes[2].id',
      'CC_E_WORKFLOW_NAME @ name',
      'CC_E_WORKFLOW_RETRY @ nodes[0].retry.attempts',
      'CC_E_WORKFLOW_UNKNOWN_DEPENDENCY @ nodes[1].dependsOn[1]',
    ]);
    const cycle = problems.find((p) => p.code === 'CC_E_WORKFLOW_CYCLE')!;
    assert.match(cycle.message, /loop_a → loop_b → loop_a/);
  });
});

describe('validateWorkflow: valid documents', () => {
  it('normalizes the SPEC example with defaults and milliseconds', () => {
    const doc = base();
    doc.timeout = '1h';
    doc.concurrency = { limit: 2, key: '{{ input.repo }}' };
    doc.triggers = [
      { event: 'audit.result.fail', when: "{{ event.severity = 'high' }}" },
      { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
      { webhook: 'deploy' },
      { manual: null },
      { alert: { alertname: 'HighErrorRate' } },
      { action: 'retest' },
    ];
    nodes(doc)[0]!.retry = { attempts: 3, backoff: 'linear', delay: '2s', maxDelay: '1m' };
    nodes(doc)[0]!.timeout = '5m';
    nodes(doc)[1]!.dependsOn = ['scan', 'scan'];
    nodes(doc)[1]!.approval = 'required';
    nodes(doc)[1]!.approvalTimeout = '1d';
    nodes(doc).push({
      id: 'review_each',
      agent: 'code-reviewer',
      action: 'review',
      dependsOn: ['scan'],
      forEach: '{{ nodes.scan.output.files }}',
      inputs: { file: '{{ item }}', token: '{{ secrets.GH_TOKEN }}' },
    });
    doc.ui = { positions: { scan: { x: 0, y: 10.5 } }, viewport: { zoom: 1 } };
    const result = validateWorkflow(doc);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    const wf = result.workflow;
    assert.equal(wf.timeoutMs, 3_600_000);
    assert.deepEqual(wf.nodes[0]!.retry, {
      attempts: 3,
      backoff: 'linear',
      delayMs: 2000,
      maxDelayMs: 60_000,
    });
    assert.equal(wf.nodes[0]!.timeoutMs, 300_000);
    assert.deepEqual(wf.nodes[1]!.dependsOn, ['scan']);
    assert.deepEqual(wf.nodes[1]!.retry, {
      attempts: 1,
      backoff: 'exponential',
      delayMs: 1000,
      maxDelayMs: 60_000,
    });
    assert.equal(wf.nodes[1]!.onFailure, 'fail');
    assert.equal(wf.nodes[1]!.approvalTimeoutMs, 86_400_000);
    assert.deepEqual(wf.nodes[2]!.inputs, { file: '{{ item }}', token: '{{ secrets.GH_TOKEN }}' });
    assert.deepEqual(
      wf.triggers.map((t) => t.kind),
      ['event', 'cron', 'webhook', 'manual', 'alert', 'action'],
    );
    assert.deepEqual(wf.triggers[1], {
      kind: 'cron',
      index: 1,
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      catchUp: 'run',
    });
    assert.deepEqual(wf.ui, doc.ui);
    assert.deepEqual(wf.source, doc);
    assert.deepEqual(result.warnings, []);
  });

  it('keeps the caller document untouched and detached', () => {
    const doc = base();
    const before = structuredClone(doc);
    const result = validateWorkflow(doc);
    assert.ok(result.ok);
    assert.deepEqual(doc, before);
    result.workflow.nodes[0]!.inputs.path = 'changed';
    assert.equal(result.workflow.source.nodes[0]!.inputs!.path, '{{ input.repo }}');
    assert.notEqual(result.workflow.source, doc);
  });

  it('defaults maxDelay to the delay when the delay exceeds one minute', () => {
    const doc = base();
    nodes(doc)[0]!.retry = { attempts: 2, delay: '2m' };
    const result = validateWorkflow(doc);
    assert.ok(result.ok);
    assert.equal(result.workflow.nodes[0]!.retry.maxDelayMs, 120_000);
  });

  it('accepts references to transitive upstream nodes and JSONata-relative names', () => {
    const doc = base();
    nodes(doc).push({
      id: 'report',
      agent: 'x',
      action: 'y',
      dependsOn: ['notify'],
      inputs: {
        critical: '{{ $count(nodes.scan.output.findings[severity = "critical"]) }}',
        names: '{{ nodes.scan.output.files.{ "name": name } }}',
        first: '{{ $$.input.repo }}',
      },
    });
    const result = validateWorkflow(doc);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });

  it('warns about dynamic node references, undeclared inputs, stale UI positions and unknown schema keywords', () => {
    const doc = base();
    nodes(doc)[1]!.inputs.all = '{{ $keys(nodes) }}';
    nodes(doc)[1]!.inputs.repo = '{{ input.rpeo }}';
    doc.ui = { positions: { ghost: { x: 1, y: 2 } } };
    doc.inputs = { type: 'object', properties: { repo: { type: 'string' } }, requird: ['repo'] };
    const result = validateWorkflow(doc);
    assert.ok(result.ok);
    assert.deepEqual(pairs(result.warnings), [
      'CC_W_SCHEMA_STRICT @ inputs',
      'CC_W_TEMPLATE_DYNAMIC_REF @ nodes[1].inputs.all',
      'CC_W_TEMPLATE_UNDECLARED_INPUT @ nodes[1].inputs.repo',
      'CC_W_UI_UNKNOWN_NODE @ ui.positions.ghost',
    ]);
    assert.match(result.warnings.find((w) => w.code === 'CC_W_SCHEMA_STRICT')!.message, /requird/);
    const undeclared = result.warnings.find((w) => w.code === 'CC_W_TEMPLATE_UNDECLARED_INPUT')!;
    assert.match(undeclared.fix, /Did you mean "repo"\?/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
