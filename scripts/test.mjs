#!/usr/bin/env node
// `npm test`: finds every *.test.ts, checks which real services are reachable, runs the suites
// with Node's test runner, and says clearly which suites were skipped and why. With
// CC_REQUIRE_SERVICES=1 (set by .ci/run) a missing service is a failure, not a skip.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = process.env.CC_REQUIRE_SERVICES === '1';
const pgUrl = process.env.CC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const filter = process.argv.slice(2);

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

async function postgresReachable(url) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (err) {
    return `cannot connect to ${url.replace(/\/\/[^@]*@/, '//')}: ${err.message}`;
  } finally {
    await c.end().catch(() => {});
  }
}

function tcpReachable(host, port) {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', (e) => resolve(`cannot connect to ${host}:${port}: ${e.message}`));
    s.once('timeout', () => (s.destroy(), resolve(`no answer from ${host}:${port}`)));
  });
}

const pgOk = await postgresReachable(pgUrl);
const natsOk = await tcpReachable('127.0.0.1', 4222);
const skipped = [];
const env = { ...process.env };
if (pgOk === true) env.CC_TEST_DATABASE_URL = pgUrl;
else {
  delete env.CC_TEST_DATABASE_URL;
  skipped.push(`PostgreSQL suites (store and engine tests run on PGlite only): ${pgOk}`);
}
if (natsOk === true) env.CC_TEST_NATS_URL = env.CC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
else skipped.push(`NATS suites: ${natsOk}`);

if (skipped.length) {
  console.log('Skipped because a service is unreachable:');
  for (const s of skipped) console.log(`  - ${s}`);
  if (require) {
    console.error(
      'CC_REQUIRE_SERVICES=1: every suite must run here; start the services (see CONTRIBUTING.md).',
    );
    process.exit(1);
  }
}

// Agents that tests start as processes (the SDK example) import the SDK's compiled output, as
// they do under `npm start`: build it (incremental, about a second when up to date).
const built = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/agent-sdk'],
  { cwd: root, stdio: 'inherit' },
);
if (built.status !== 0) {
  console.error('building packages/agent-sdk failed (see above)');
  process.exit(1);
}

let files = findTests(join(root, 'packages'))
  .concat(findTests(join(root, 'test')))
  .concat(findTests(join(root, 'ops')));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
files.sort();
if (files.length === 0) {
  // `node --test` with no file would run every test file it can find instead.
  console.error(`no test file matches ${filter.join(' ')}`);
  process.exit(1);
}

// The ops/ suites run Debian's Prometheus tools (apt-get install -y prometheus
// prometheus-alertmanager); they skip themselves without them, or fail under CC_REQUIRE_SERVICES=1.
if (files.some((f) => f.startsWith(join(root, 'ops')))) {
  const onPath = (names) =>
    (process.env.PATH ?? '').split(':').some((d) => names.some((n) => existsSync(join(d, n))));
  const missing = [['promtool'], ['prometheus'], ['prometheus-alertmanager', 'alertmanager']]
    .filter((names) => !onPath(names))
    .map((names) => names.join(' or '));
  if (missing.length) {
    const reason = `ops/ Prometheus suites: ${missing.join(', ')} not installed (apt-get install -y prometheus prometheus-alertmanager)`;
    console.log(`Skipped: ${reason}`);
    if (require) {
      console.error('CC_REQUIRE_SERVICES=1: the ops/ suites must run here; install the tools.');
      process.exit(1);
    }
    skipped.push(reason);
  }
}

// The UI suites drive Debian's Chromium (apt-get install -y chromium) against a hub serving the
// built UI: build it first (Vite, about a second), or skip them when there is no browser.
const isUiSuite = (f) => f.includes(`${join('packages', 'web', 'e2e')}`);
if (files.some(isUiSuite)) {
  const chromium = process.env.CC_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    files = files.filter((f) => !isUiSuite(f));
    const reason = `UI end-to-end suites: no browser at ${chromium} (apt-get install -y chromium)`;
    console.log(`Skipped: ${reason}`);
    if (require) {
      console.error('CC_REQUIRE_SERVICES=1: the UI suites must run here; install chromium.');
      process.exit(1);
    }
    skipped.push(reason);
  } else {
    const ui = spawnSync(
      process.execPath,
      [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      { cwd: join(root, 'packages/web'), stdio: 'inherit' },
    );
    if (ui.status !== 0) {
      console.error('building the web UI failed (see above)');
      process.exit(1);
    }
  }
}
console.log(
  `Running ${files.length} test files${pgOk === true ? ' (PGlite and PostgreSQL)' : ' (PGlite only)'}`,
);

const child = spawn(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.CC_TEST_CONCURRENCY ?? 2}`,
    '--test-reporter=spec',
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, env, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  if (skipped.length) console.log(`Note: skipped — ${skipped.join('; ')}`);
  process.exit(code ?? (signal ? 1 : 0));
});
