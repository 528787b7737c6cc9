import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { contentHash, workflowContentHash } from './hash.js';
import { loadWorkflow } from './parse-workflow.js';

const original = `
name: audit
description: Scan and notify
nodes:
  - id: scan
    agent: security-scanner
    action: scan
    inputs: { path: "{{ input.repo }}" }
    retry: { attempts: 3, delay: 2s }
  - id: notify
    agent: notifier
    action: send
    dependsOn: [scan]
    inputs:
      message: "{{ nodes.scan.output.summary }}"
`;

// Same data: other key order, block vs flow style, quoting, comments and blank lines.
const reformatted = `# reformatted by an editor
description: 'Scan and notify'
name: "audit"

nodes:
  - action: scan
    agent: security-scanner
    id: scan
    retry:
      delay: "2s"
      attempts: 3
    inputs:
      path: '{{ input.repo }}'
  - {id: notify, agent: notifier, action: send, dependsOn: ["scan"], inputs: {message: "{{ nodes.scan.output.summary }}"}}
`;

function hashOf(text: string): string {
  const result = loadWorkflow(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return workflowContentHash(result.workflow);
}

describe('workflowContentHash', () => {
  it('is a sha256 hex digest', () => {
    assert.match(hashOf(original), /^[0-9a-f]{64}$/);
  });

  it('is the same for reformatted YAML and for the equivalent JSON', () => {
    const parsed = loadWorkflow(original);
    assert.ok(parsed.ok);
    assert.equal(hashOf(reformatted), hashOf(original));
    assert.equal(hashOf(JSON.stringify(parsed.workflow.source, null, 2)), hashOf(original));
  });

  it('changes when the content changes, including layout and descriptions', () => {
    const base = hashOf(original);
    assert.notEqual(hashOf(original.replace('attempts: 3', 'attempts: 4')), base);
    assert.notEqual(hashOf(original.replace('Scan and notify', 'Scan, then notify')), base);
    assert.notEqual(hashOf(`${original}ui:\n  positions: { scan: { x: 1, y: 2 } }\n`), base);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } }),
      '{"a":{"d":[3,{"e":2,"f":1}]},"b":1}',
    );
    assert.equal(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
  });
});
