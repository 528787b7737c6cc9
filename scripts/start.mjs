#!/usr/bin/env node
// `npm start`: installs what is missing, builds, and runs `commandcenter up` (the hub on the
// embedded store unless DATABASE_URL is set, with the examples applied). Extra arguments are
// passed to `up`.
import { execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const sh = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });

if (
  !existsSync(`${root}node_modules/.package-lock.json`) ||
  !existsSync(`${root}node_modules/tsx`)
) {
  console.log('installing dependencies (npm install)…');
  sh('npm install --no-audit --no-fund');
}
console.log('building…');
sh('npm run build --silent');
const child = spawn(
  process.execPath,
  ['packages/hub/dist/cli/main.js', 'up', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the hub directly (same process group); forwarding it would be a second signal.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
