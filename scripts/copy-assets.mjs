// Copies non-TypeScript assets the compiled hub needs (SQL migrations) next to its JS.
import { cpSync } from 'node:fs';
const root = new URL('..', import.meta.url).pathname;
for (const dir of ['store/migrations']) {
  cpSync(`${root}packages/hub/src/${dir}`, `${root}packages/hub/dist/${dir}`, { recursive: true });
}
