#!/usr/bin/env node
// A process agent (SPEC §4): one JSON request on stdin, logs on stderr, one JSON result on stdout.
import { stdin } from 'node:process';

let raw = '';
for await (const chunk of stdin) raw += chunk;
const req = JSON.parse(raw);
const text = String(req.input?.text ?? '');
console.error(`text-tools ${req.action} (run ${req.run.id}, attempt ${req.attempt})`);

const actions = {
  upper: () => ({ text: text.toUpperCase() }),
  words: () => ({ words: text.split(/\s+/).filter(Boolean) }),
  count: () => ({ word: text, letters: [...text].length }),
};
const fn = actions[req.action];
if (!fn) {
  console.log(
    JSON.stringify({ error: { message: `unknown action ${req.action}`, retryable: false } }),
  );
} else {
  console.log(JSON.stringify({ output: fn() }));
}
