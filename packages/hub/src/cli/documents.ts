/**
 * Reading what the user hands the CLI: workflow and agent documents (`-f file`), and JSON
 * values (`--input '{"a":1}'`, `--input @file.yaml`, `--input @-` for stdin).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CCError, isCCError, parseDocumentText } from '@commandcenter/protocol/client';

/** One document of a file, ready to send. */
export interface LoadedDocument {
  file: string;
  kind: 'workflow' | 'agent';
  /** What the document calls itself (for messages). */
  name: string;
  /**
   * What to send: a workflow's text as written (the hub keeps it as the source), an agent
   * manifest as an object (its relative `runtime.cwd` resolved against the file's folder).
   */
  body: string | Record<string, unknown>;
}

/**
 * Reads and classifies one file: a document with `nodes` is a workflow, one with `actions` an
 * agent manifest. Throws `CC_E_PARSE` (with line and column) or `CC_E_BAD_REQUEST`, naming the file.
 */
export async function loadDocument(file: string): Promise<LoadedDocument> {
  const text = await readText(file);
  const doc = parse(file, text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CCError('CC_E_BAD_REQUEST', {
      detail: `${file}: the document is not an object; write a workflow (with \`nodes:\`) or an agent manifest (with \`actions:\`)`,
    });
  }
  const record = doc as Record<string, unknown>;
  const name = typeof record.name === 'string' ? record.name : '(unnamed)';
  if ('nodes' in record) return { file, kind: 'workflow', name, body: text };
  if ('actions' in record) {
    return { file, kind: 'agent', name, body: resolveAgentCwd(record, dirname(resolve(file))) };
  }
  throw new CCError('CC_E_BAD_REQUEST', {
    detail: `${file}: neither a workflow (it has no \`nodes:\`) nor an agent manifest (it has no \`actions:\`)`,
  });
}

/**
 * Resolves a process agent's `runtime.cwd` against the folder of its file, so that relative
 * commands work wherever the hub runs. A missing `cwd` means the file's folder too (this is how
 * `examples/agents/*.yaml` find their scripts).
 */
export function resolveAgentCwd(
  manifest: Record<string, unknown>,
  folder: string,
): Record<string, unknown> {
  const runtime = manifest.runtime;
  if (typeof runtime !== 'object' || runtime === null || Array.isArray(runtime)) return manifest;
  const r = runtime as Record<string, unknown>;
  if (r.cwd !== undefined && typeof r.cwd !== 'string') return manifest; // the hub reports it
  if (r.cwd === undefined && manifest.type !== 'process') return manifest;
  const cwd = (r.cwd as string | undefined) ?? '.';
  if (isAbsolute(cwd)) return manifest;
  return { ...manifest, runtime: { ...r, cwd: resolve(folder, cwd) } };
}

/**
 * Parses an `--input`-style value: JSON text, `@file` (YAML or JSON) or `@-` (stdin).
 * `what` names the option in messages.
 */
export async function readJsonArgument(value: string, what: string): Promise<unknown> {
  if (value.startsWith('@')) {
    const file = value.slice(1);
    const text = file === '-' ? await readStdin() : await readText(file);
    return parse(file === '-' ? 'stdin' : file, text);
  }
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new CCError('CC_E_BAD_REQUEST', {
      detail: `${what} is not valid JSON (${(err as Error).message}); quote it for the shell, e.g. ${what} '{"repo":"x"}', or pass a file with ${what} @input.json`,
    });
  }
}

/** Everything on stdin, as text. */
export async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    throw new CCError('CC_E_BAD_REQUEST', { detail: `cannot read ${file}: ${reason}` });
  }
}

function parse(file: string, text: string): unknown {
  try {
    return parseDocumentText(text, file.endsWith('.json') ? 'json' : 'yaml');
  } catch (err) {
    if (!isCCError(err)) throw err;
    throw new CCError(err.code, { detail: `${file}: ${err.detail}`, problems: err.problems });
  }
}
