/**
 * Content hashes. This is the only module of the package that uses Node built-ins: a browser
 * build must leave it out (everything else is platform-neutral).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { WorkflowDefinition } from './workflow-types.js';

/** Hex sha256 of the canonical JSON of any JSON value. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * Stable hash of a workflow's content: sha256 of the canonical JSON of the document as written
 * (`workflow.source`). Reformatted YAML, reordered keys, comments and quoting styles hash the
 * same, so applying unchanged content creates no new version; any data change — including UI
 * positions and descriptions, which a version stores — yields a new hash.
 */
export function workflowContentHash(workflow: WorkflowDefinition): string {
  return contentHash(workflow.source);
}
