#!/usr/bin/env node
// The `commandcenter` command. A plain-JS entry that exists before the first build, so that
// `npm install` links it; it runs the compiled CLI (`npm start` and `npm run build` build it).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(
    'error: the commandcenter CLI is not built yet — run `npm run build` (or `npm start`) in the repository first',
  );
  process.exit(1);
}
await import(main.href);
