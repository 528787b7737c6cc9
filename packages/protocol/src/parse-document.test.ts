import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CCError } from './errors.js';
import { parseDocumentText } from './parse-document.js';
import { loadWorkflow, parseWorkflowText } from './parse-workflow.js';

function parseProblems(text: string, format?: 'yaml' | 'json') {
  try {
    parseDocumentText(text, format);
  } catch (error) {
    assert.ok(error instanceof CCError);
    assert.equal(error.code, 'CC_E_PARSE');
    assert.equal(error.status, 400);
    return error.problems;
  }
  assert.fail('expected a parse error');
}

describe('parseDocumentText', () => {
  it('parses YAML and JSON into plain values', () => {
    assert.deepEqual(parseWorkflowText('name: a\nnodes: [{ id: x }]\n'), {
      name: 'a',
      nodes: [{ id: 'x' }],
    });
    assert.deepEqual(parseWorkflowText('{"name": "a"}', 'json'), { name: 'a' });
    // YAML 1.2: `on`/`yes` stay strings, and JSON text is valid YAML.
    assert.deepEqual(parseWorkflowText('a: on\nb: yes'), { a: 'on', b: 'yes' });
    assert.deepEqual(parseWorkflowText('{"a": [1, 2]}'), { a: [1, 2] });
  });

  it('reports YAML syntax errors with line and column', () => {
    const [problem] = parseProblems('name: x\nnodes:\n  - id: a\n    agent: [b\n');
    assert.equal(problem!.line, 5);
    assert.equal(problem!.column, 1);
    assert.match(problem!.message, /^Line 5, column 1: Flow sequence/);
    const [quote] = parseProblems("name: 'unterminated\nnodes: []\n");
    assert.equal(quote!.line, 3);
    assert.match(quote!.message, /Missing closing 'quote/);
  });

  it('rejects duplicate keys and several documents', () => {
    const [dup] = parseProblems('name: a\nname: b\n');
    assert.equal(dup!.line, 2);
    assert.match(dup!.message, /Map keys must be unique/);
    const [multi] = parseProblems('name: a\n---\nname: b\n');
    assert.match(multi!.message, /multiple documents/);
  });

  it('reports JSON syntax errors with line and column', () => {
    const [missing] = parseProblems('{\n  "name": "a",\n  "nodes": }', 'json');
    assert.deepEqual([missing!.line, missing!.column], [3, 12]);
    assert.match(missing!.message, /unexpected '\}'/);
    const [end] = parseProblems('{"name": "a"', 'json');
    assert.deepEqual([end!.line, end!.column], [1, 13]);
    const [quote] = parseProblems("{'name': 1}", 'json');
    assert.match(quote!.message, /property name in double quotes/);
  });

  it('rejects empty documents', () => {
    const [empty] = parseProblems('# only a comment\n');
    assert.match(empty!.message, /empty/);
  });

  it('expands a bounded number of YAML aliases only', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const ref = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      bomb.push(`${next}: &${next} [${Array(10).fill(`*${ref}`).join(',')}]`);
    }
    const [problem] = parseProblems(bomb.join('\n'));
    assert.match(problem!.message, /alias/i);
  });
});

describe('loadWorkflow', () => {
  it('returns parse problems instead of throwing', () => {
    const result = loadWorkflow('name: [');
    assert.ok(!result.ok);
    assert.equal(result.problems[0]!.code, 'CC_E_PARSE');
    assert.equal(typeof result.problems[0]!.line, 'number');
  });

  it('parses and validates in one call', () => {
    const result = loadWorkflow('name: hello\nnodes:\n  - { id: a, agent: x, action: y }\n');
    assert.ok(result.ok);
    assert.equal(result.workflow.nodes[0]!.id, 'a');
  });
});
