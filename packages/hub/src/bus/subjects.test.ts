import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSubjectPattern } from '@commandcenter/protocol';
import {
  matchSubject,
  partlyCapturedPatterns,
  publishSubjectProblem,
  streamName,
  streamSubjects,
} from './subjects.js';

describe('event bus subjects', () => {
  test('patterns: * matches one token, > one or more at the end', () => {
    const cases: [string, string, boolean][] = [
      ['audit.result.fail', 'audit.result.fail', true],
      ['audit.result.fail', 'audit.result.pass', false],
      ['audit.result.fail', 'audit.result', false],
      ['audit.result', 'audit.result.fail', false],
      ['audit.*.fail', 'audit.result.fail', true],
      ['audit.*.fail', 'audit.result.x.fail', false],
      ['audit.*', 'audit', false],
      ['audit.>', 'audit.result.fail', true],
      ['audit.>', 'audit.result', true],
      ['audit.>', 'audit', false],
      ['>', 'x', true],
      ['>', 'workflow.run.succeeded', true],
      ['*', 'x', true],
      ['*', 'x.y', false],
      ['workflow.run.succeeded', 'workflow.run.succeeded', true],
      ['workflow.*.succeeded', 'workflow.step.succeeded', true],
      ['*.*.>', 'a.b', false],
      ['*.*.>', 'a.b.c', true],
    ];
    for (const [pattern, subject, expected] of cases) {
      assert.equal(matchSubject(pattern, subject), expected, `${pattern} vs ${subject}`);
    }
  });

  test('stream names are valid and distinct for every project name', () => {
    assert.equal(streamName('default'), 'CC_DEFAULT');
    assert.equal(streamName('team-a-1'), 'CC_TEAM_A_1');
    assert.notEqual(streamName('a-b'), streamName('ab'));
    for (const p of ['default', 'x', 'a-b-c', '0abc', 'z'.repeat(63)]) {
      assert.match(streamName(p), /^[A-Z0-9_]+$/, p);
    }
  });

  test('streams capture every event subject but never the agents’ agent.<name> requests', () => {
    const subjects = streamSubjects('p-1', [
      'audit.result.fail',
      'deploy.*',
      'build.done',
      '>',
      '*.x',
      'agent.*',
      'approval.>',
    ]);
    assert.deepEqual(subjects, [
      'cc.p-1.*',
      'cc.p-1.*.*.>',
      'cc.p-1.agent.registered',
      'cc.p-1.approval.*',
      'cc.p-1.build.*',
      'cc.p-1.deploy.*',
    ]);
    const captured = (s: string) => subjects.some((p) => matchSubject(p, s));
    for (const s of [
      'cc.p-1.workflow.run.succeeded',
      'cc.p-1.workflow.step.retrying',
      'cc.p-1.approval.requested',
      'cc.p-1.agent.registered',
      'cc.p-1.audit.result.fail',
      'cc.p-1.deploy.done',
      'cc.p-1.ping',
    ]) {
      assert.ok(captured(s), s);
    }
    for (const s of [
      'cc.p-1.agent.scanner',
      'cc.p-1.agent.code-reviewer',
      'cc.other.audit.result.fail',
    ]) {
      assert.ok(!captured(s), s);
    }
    assert.deepEqual(partlyCapturedPatterns(['>', '*.x', '*.*.>', 'a.b', 'a.>', '*']), [
      '>',
      '*.x',
    ]);
  });

  test('external events may not use the hub’s namespaces, nor wildcards', () => {
    assert.equal(publishSubjectProblem('audit.result.fail'), undefined);
    assert.equal(publishSubjectProblem('ping'), undefined);
    for (const s of [
      'workflow.run.succeeded',
      'approval.decided',
      'agent.registered',
      'agent.scanner',
    ]) {
      assert.match(publishSubjectProblem(s)?.message ?? '', /hub's own namespace/, s);
    }
    for (const s of ['audit.*', 'audit.>', 'a..b', 'a b', '.a']) {
      assert.match(publishSubjectProblem(s)?.message ?? '', /not a concrete subject/, s);
      assert.ok(publishSubjectProblem(s)?.fix);
    }
    // Anything a trigger may declare is a pattern the matcher understands.
    assert.equal(checkSubjectPattern('audit.*.fail'), undefined);
  });
});
