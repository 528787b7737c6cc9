import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_ENV_ALLOWLIST, buildChildEnv } from './env-scrub.js';

const request = {
  run: { id: 'run-9', project: 'p', workflow: 'w', version: 1 },
  step: { id: 'step-9', key: 'deploy' },
  attempt: 3,
  idempotencyKey: 'run-9:deploy',
};

const hubEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/hub',
  LANG: 'C.UTF-8',
  DATABASE_URL: 'postgres://u:p@db/cc',
  CC_SECRET_KEY: 'k',
  GITHUB_TOKEN: 'ghp_x',
  NODE_OPTIONS: '--inspect',
  EXTRA: 'extra',
};

test('only the base allowlist and the CC_* variables pass by default', () => {
  assert.deepEqual(buildChildEnv({ hubEnv, request }), {
    PATH: '/usr/bin:/bin',
    HOME: '/home/hub',
    LANG: 'C.UTF-8',
    CC_RUN_ID: 'run-9',
    CC_STEP_ID: 'step-9',
    CC_ATTEMPT: '3',
    CC_IDEMPOTENCY_KEY: 'run-9:deploy',
  });
  assert.deepEqual([...BASE_ENV_ALLOWLIST], ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR']);
});

test('allowlist, fixed env, secrets and traceparent are added; later sources win', () => {
  const env = buildChildEnv({
    hubEnv,
    allowlist: ['EXTRA', 'MISSING'],
    fixed: { HOME: '/agent', MODE: 'fixed', TOKEN: 'from-env' },
    secrets: { TOKEN: 'from-secrets' },
    request: { ...request, traceparent: '00-abc-def-01' },
  });
  assert.equal(env.EXTRA, 'extra');
  assert.equal('MISSING' in env, false);
  assert.equal(env.HOME, '/agent');
  assert.equal(env.MODE, 'fixed');
  assert.equal(env.TOKEN, 'from-secrets');
  assert.equal(env.TRACEPARENT, '00-abc-def-01');
  for (const leaked of ['DATABASE_URL', 'CC_SECRET_KEY', 'GITHUB_TOKEN', 'NODE_OPTIONS']) {
    assert.equal(leaked in env, false, leaked);
  }
});

test('an agent cannot override the CC_* variables', () => {
  const env = buildChildEnv({
    hubEnv,
    fixed: { CC_RUN_ID: 'forged' },
    secrets: { CC_ATTEMPT: '99' },
    request,
  });
  assert.equal(env.CC_RUN_ID, 'run-9');
  assert.equal(env.CC_ATTEMPT, '3');
});

test('a custom base allowlist replaces the default one', () => {
  const env = buildChildEnv({ hubEnv, baseAllowlist: ['PATH'], request });
  assert.deepEqual(Object.keys(env).sort(), [
    'CC_ATTEMPT',
    'CC_IDEMPOTENCY_KEY',
    'CC_RUN_ID',
    'CC_STEP_ID',
    'PATH',
  ]);
});

test('a __proto__ name is an ordinary own variable', () => {
  const env = buildChildEnv({ hubEnv: {}, fixed: JSON.parse('{"__proto__":"x"}'), request });
  assert.equal(Object.getPrototypeOf(env), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(env, '__proto__')?.value, 'x');
});
