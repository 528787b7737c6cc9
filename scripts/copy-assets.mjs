// Copies non-TypeScript assets the compiled hub needs (SQL migrations) next to its JS.
import { cpSync } from 'node:fs';
const root = new URL('..', import.meta.url).pathname;
cpSync(`${root}packages/hub/src/store/migrations`, `${root}packages/hub/dist/store/migrations`, {
  recursive: true,
});
