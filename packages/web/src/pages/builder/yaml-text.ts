/** The document as YAML text (the YAML tab, read-only versions); no editor code, so it loads light. */
import { stringify } from 'yaml';
import type { Doc } from './model.js';

export function docToYaml(doc: Doc): string {
  return stringify(doc, { lineWidth: 100 });
}
