import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDag, findCycles, formatCycle, upstreamSets } from './dag.js';

const diamond = [
  { id: 'scan', dependsOn: [] },
  { id: 'notify', dependsOn: ['scan'] },
  { id: 'patch', dependsOn: ['scan'] },
  { id: 'retest', dependsOn: ['patch', 'notify'] },
  { id: 'audit', dependsOn: [] },
];

describe('buildDag', () => {
  const dag = buildDag(diamond);

  it('orders nodes topologically, preferring document order among ready nodes', () => {
    assert.deepEqual(dag.order, ['scan', 'notify', 'patch', 'retest', 'audit']);
    const reversed = buildDag([...diamond].reverse());
    assert.deepEqual(reversed.order, ['audit', 'scan', 'patch', 'notify', 'retest']);
  });

  it('knows roots, leaves, successors and predecessors', () => {
    assert.deepEqual(dag.roots, ['scan', 'audit']);
    assert.deepEqual(dag.leaves, ['retest', 'audit']);
    assert.deepEqual(dag.successors('scan'), ['notify', 'patch']);
    assert.deepEqual(dag.predecessors('retest'), ['patch', 'notify']);
    assert.deepEqual(dag.successors('unknown'), []);
    assert.equal(dag.has('patch'), true);
    assert.equal(dag.has('nope'), false);
  });

  it('computes transitive upstream and downstream sets', () => {
    assert.deepEqual([...dag.upstream('retest')].sort(), ['notify', 'patch', 'scan']);
    assert.deepEqual([...dag.upstream('scan')], []);
    assert.deepEqual([...dag.downstream('scan')].sort(), ['notify', 'patch', 'retest']);
    assert.equal(dag.upstream('audit').size, 0);
  });

  it('throws on a cycle, naming it', () => {
    assert.throws(
      () =>
        buildDag([
          { id: 'a', dependsOn: ['c'] },
          { id: 'b', dependsOn: ['a'] },
          { id: 'c', dependsOn: ['b'] },
        ]),
      /dependency cycle: a → c → b → a/,
    );
  });
});

describe('findCycles', () => {
  it('finds each distinct cycle once, following dependsOn edges', () => {
    const cycles = findCycles([
      { id: 'a', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a', 'x'] },
      { id: 'x', dependsOn: ['y'] },
      { id: 'y', dependsOn: ['x', 'y'] },
      { id: 'free', dependsOn: ['a', 'missing'] },
    ]);
    assert.deepEqual(cycles.map(formatCycle), ['a → b → a', 'x → y → x']);
  });

  it('finds nothing in a DAG', () => {
    assert.deepEqual(findCycles(diamond), []);
  });
});

describe('upstreamSets', () => {
  it('tolerates cycles and unknown ids', () => {
    const sets = upstreamSets([
      { id: 'a', dependsOn: ['b', 'ghost'] },
      { id: 'b', dependsOn: ['a'] },
    ]);
    assert.deepEqual([...sets.get('a')!].sort(), ['a', 'b', 'ghost']);
  });
});
