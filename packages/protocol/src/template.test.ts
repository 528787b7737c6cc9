import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CCError } from './errors.js';
import {
  checkTemplates,
  compileTemplates,
  evaluateCondition,
  evaluateForEach,
  referencedSecrets,
  resolveTemplates,
  type TemplateContext,
} from './template.js';
import { extractReferences } from './template-refs.js';
import { compileExpression } from './template-expression.js';
import { splitTemplate, wholeTemplateExpression } from './template-syntax.js';

const context: TemplateContext = {
  input: { repo: 'acme/api', count: 3, flag: false, nothing: null },
  event: { severity: 'high' },
  nodes: {
    scan: {
      output: {
        summary: { critical: 2, high: 0 },
        files: ['a.ts', 'b.ts'],
        findings: [
          { file: 'a.ts', severity: 'critical' },
          { file: 'b.ts', severity: 'low' },
        ],
      },
    },
  },
  run: { id: 'run_1' },
  secrets: { TOKEN: 's3cret' },
};

const resolve = (value: unknown, ctx: TemplateContext = context) =>
  resolveTemplates(compileTemplates(value), ctx);

async function rejection(promise: Promise<unknown>): Promise<CCError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CCError, `expected a CCError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('resolveTemplates', () => {
  it('yields typed values for whole-string templates', async () => {
    assert.deepEqual(
      await resolve({
        n: '{{ input.count }}',
        b: '{{ input.flag }}',
        nul: '{{ input.nothing }}',
        obj: '{{ nodes.scan.output.summary }}',
        arr: '{{ nodes.scan.output.files }}',
        spaced: '  {{ input.count * 2 }}\n',
        built: '{{ { "repo": input.repo, "n": input.count } }}',
      }),
      {
        n: 3,
        b: false,
        nul: null,
        obj: { critical: 2, high: 0 },
        arr: ['a.ts', 'b.ts'],
        spaced: 6,
        built: { repo: 'acme/api', n: 3 },
      },
    );
  });

  it('stringifies embedded templates', async () => {
    assert.equal(
      await resolve('{{ nodes.scan.output.summary.critical }} critical in {{ input.repo }}'),
      '2 critical in acme/api',
    );
    assert.equal(
      await resolve(
        'summary: {{ nodes.scan.output.summary }} files: {{ nodes.scan.output.files }}',
      ),
      'summary: {"critical":2,"high":0} files: ["a.ts","b.ts"]',
    );
    assert.equal(
      await resolve('flag={{ input.flag }} null={{ input.nothing }}'),
      'flag=false null=null',
    );
    assert.equal(await resolve('{{ input.count }}{{ input.count }}'), '33');
  });

  it('resolves nested objects and arrays and leaves literals alone', async () => {
    const value = {
      literal: { a: [1, 'two', { three: true }] },
      list: ['{{ input.repo }}', 'plain', { deep: ['{{ input.count + 1 }}'] }],
    };
    const resolved = (await resolve(value)) as typeof value;
    assert.deepEqual(resolved, {
      literal: { a: [1, 'two', { three: true }] },
      list: ['acme/api', 'plain', { deep: [4] }],
    });
    assert.notEqual(resolved.literal, value.literal, 'literals are copies');
  });

  it('returns plain arrays for JSONata sequences', async () => {
    const files = await resolve('{{ nodes.scan.output.findings.file }}');
    assert.deepEqual(files, ['a.ts', 'b.ts']);
    assert.deepEqual(Object.keys(files as object), ['0', '1']);
  });

  it('fails on a missing reference with the expression and the inputs path', async () => {
    const error = await rejection(
      resolveTemplates(
        compileTemplates({ message: 'found {{ nodes.scan.output.summary.critcal }}' }),
        context,
      ),
    );
    assert.equal(error.code, 'CC_E_TEMPLATE_MISSING_REF');
    assert.equal(error.problems[0]!.path, 'inputs.message');
    assert.match(error.problems[0]!.message, /\{\{ nodes\.scan\.output\.summary\.critcal \}\}/);
    assert.match(error.problems[0]!.message, /no field "critcal" \(it has: critical, high\)/);
  });

  it('names a node without output when its reference is missing', async () => {
    const error = await rejection(resolve({ x: ['{{ nodes.patch.output.url }}'] }));
    assert.equal(error.code, 'CC_E_TEMPLATE_MISSING_REF');
    assert.equal(error.problems[0]!.path, 'inputs.x[0]');
    assert.match(error.problems[0]!.message, /node "patch" has no output/);
  });

  it('never produces "undefined" inside strings', async () => {
    const error = await rejection(resolve('value: {{ input.missing }}'));
    assert.equal(error.code, 'CC_E_TEMPLATE_MISSING_REF');
  });

  it('reports evaluation errors as CC_E_TEMPLATE_EVAL', async () => {
    const error = await rejection(resolve({ n: '{{ $number("abc") }}' }));
    assert.equal(error.code, 'CC_E_TEMPLATE_EVAL');
    assert.equal(error.problems[0]!.path, 'inputs.n');
    assert.match(error.problems[0]!.message, /Unable to cast value to a number/);
    const fn = await rejection(resolve('{{ $uppercase }}'));
    assert.equal(fn.code, 'CC_E_TEMPLATE_EVAL');
    assert.match(fn.problems[0]!.message, /function/);
    const inf = await rejection(resolve('{{ input.count / 0 }}'));
    assert.match(inf.problems[0]!.message, /not a finite number/);
  });

  it('provides item for forEach fan-out', async () => {
    const items = await evaluateForEach('{{ nodes.scan.output.findings }}', context);
    const resolved = await Promise.all(
      items.map((item) =>
        resolve(
          { file: '{{ item.file }}', label: '{{ item.severity }}: {{ item.file }}' },
          {
            ...context,
            item,
          },
        ),
      ),
    );
    assert.deepEqual(resolved, [
      { file: 'a.ts', label: 'critical: a.ts' },
      { file: 'b.ts', label: 'low: b.ts' },
    ]);
  });
});

describe('compileTemplates', () => {
  it('throws CC_E_TEMPLATE_SYNTAX with every malformed string', () => {
    assert.throws(
      () => compileTemplates({ a: '{{ input. }}', b: ['ok', '{{ (( }}'], c: 'x {{ y' }),
      (error: unknown) => {
        assert.ok(error instanceof CCError);
        assert.equal(error.code, 'CC_E_TEMPLATE_SYNTAX');
        assert.deepEqual(
          error.problems.map((p) => p.path),
          ['inputs.a', 'inputs.b[1]', 'inputs.c'],
        );
        assert.match(error.problems[2]!.message, /unclosed "\{\{"/);
        return true;
      },
    );
  });

  it('finds the end of a template around nested braces and quoted "}}"', () => {
    assert.equal(wholeTemplateExpression("{{ {'a': {'b': 1}} }}"), "{'a': {'b': 1}}");
    assert.equal(wholeTemplateExpression('{{ "}}" & input.x }}'), '"}}" & input.x');
    const split = splitTemplate('a {{ x }} b {{ y }}');
    assert.ok(split.ok);
    assert.deepEqual(
      split.parts.map((p) => (p.kind === 'text' ? p.text : `<${p.expr}>`)),
      ['a ', '<x>', ' b ', '<y>'],
    );
    assert.equal(splitTemplate('{{   }}').ok, false);
  });

  it('keeps valid neighbours of a malformed string inspectable', () => {
    const { problems, compiled } = checkTemplates({ bad: '{{ ) }}', good: '{{ secrets.API }}' });
    assert.equal(problems.length, 1);
    assert.deepEqual(referencedSecrets(compiled), ['API']);
  });
});

describe('references', () => {
  const refs = (expr: string) => {
    const result = compileExpression(expr);
    assert.ok(result.ok);
    return extractReferences(result.compiled.expression.ast()).map(
      (r) => `${r.root}${r.names.map((n) => `.${n}`).join('')}${r.dynamic ? ' (dynamic)' : ''}`,
    );
  };

  it('walks the AST, ignoring names relative to navigated data', () => {
    // Inside a filter, names are fields of the element; `$$` reaches the context again.
    assert.deepEqual(refs('nodes.scan.output.files[size > input.max].name'), [
      'nodes.scan.output.files',
    ]);
    assert.deepEqual(refs('nodes.scan.output.files[size > $$.input.max].name'), [
      'nodes.scan.output.files',
      'input.max',
    ]);
    assert.deepEqual(refs('$count(nodes.a.output) + $sum(input.list.(price * qty))'), [
      'nodes.a.output',
      'input.list',
    ]);
    assert.deepEqual(refs('input.a ? nodes.b.output : event.c'), [
      'input.a',
      'nodes.b.output',
      'event.c',
    ]);
    assert.deepEqual(refs('($x := nodes.a.output; $x.b)'), ['nodes.a.output']);
    assert.deepEqual(refs('$$.secrets.TOKEN'), ['secrets.TOKEN']);
    assert.deepEqual(refs('nodes.*.output'), ['nodes (dynamic)']);
    assert.deepEqual(refs('$lookup(nodes, "a")'), ['nodes (dynamic)']);
    assert.deepEqual(refs('"just text"'), []);
  });

  it('lists referenced secrets', () => {
    const compiled = compileTemplates({
      auth: 'Bearer {{ secrets.GH_TOKEN }}',
      nested: ['{{ secrets.SLACK_URL }}', '{{ secrets.GH_TOKEN }}'],
    });
    assert.deepEqual(referencedSecrets(compiled), ['GH_TOKEN', 'SLACK_URL']);
  });
});

describe('evaluateCondition', () => {
  it('uses JSONata truthiness', async () => {
    assert.equal(
      await evaluateCondition('{{ nodes.scan.output.summary.critical > 0 }}', context),
      true,
    );
    assert.equal(await evaluateCondition("{{ event.severity = 'low' }}", context), false);
    assert.equal(await evaluateCondition('input.count', context), true);
    assert.equal(await evaluateCondition('{{ nodes.scan.output.files }}', context), true);
    assert.equal(await evaluateCondition('{{ [] }}', context), false);
    assert.equal(await evaluateCondition('{{ "" }}', context), false);
    assert.equal(await evaluateCondition('{{ input.nothing }}', context), false);
  });

  it('treats an undefined result as a missing reference, not false', async () => {
    const error = await rejection(
      evaluateCondition(
        '{{ nodes.scan.output.summary.critcal > 0 }}',
        context,
        'nodes.notify.when',
      ),
    );
    assert.equal(error.code, 'CC_E_TEMPLATE_MISSING_REF');
    assert.equal(error.problems[0]!.path, 'nodes.notify.when');
    assert.equal(
      await evaluateCondition('{{ $exists(nodes.scan.output.summary.critcal) }}', context),
      false,
    );
  });
});

describe('evaluateForEach', () => {
  it('returns arrays from templates and literal lists', async () => {
    assert.deepEqual(await evaluateForEach('{{ nodes.scan.output.files }}', context), [
      'a.ts',
      'b.ts',
    ]);
    assert.deepEqual(await evaluateForEach([1, { a: 2 }], context), [1, { a: 2 }]);
    assert.deepEqual(
      await evaluateForEach('{{ nodes.scan.output.findings[severity = "critical"][] }}', context),
      [{ file: 'a.ts', severity: 'critical' }],
    );
  });

  it('rejects a non-array result with a clear message', async () => {
    const error = await rejection(
      evaluateForEach('{{ nodes.scan.output.findings[severity = "critical"] }}', context),
    );
    assert.equal(error.code, 'CC_E_TEMPLATE_EVAL');
    assert.match(error.problems[0]!.message, /forEach must yield an array, got an object/);
    assert.match(error.problems[0]!.message, /append \[\]/);
  });
});
