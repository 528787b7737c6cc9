/**
 * Parsing YAML or JSON text (workflows, agent manifests) into plain values, with line/column
 * positions on syntax errors.
 */
import { parseDocument } from 'yaml';
import { CCError, problem, type Problem } from './errors.js';
import { lineColumn, locateJsonError } from './json-position.js';

/** Text formats accepted by {@link parseDocumentText}. */
export type DocumentFormat = 'yaml' | 'json';

/**
 * Parses YAML (the default; JSON is valid YAML) or strict JSON. Duplicate keys, several YAML
 * documents in one text, and an empty text are errors. Throws `CCError('CC_E_PARSE')` whose
 * problems carry `line` and `column` (1-based).
 */
export function parseDocumentText(text: string, format: DocumentFormat = 'yaml'): unknown {
  const value = format === 'json' ? parseJson(text) : parseYaml(text);
  if (value === null || value === undefined) {
    throw parseError(
      problem(
        'CC_E_PARSE',
        '',
        'The document is empty.',
        'Write the document as a YAML or JSON object.',
      ),
    );
  }
  return value;
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw parseError(
      ...doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        const headline = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return located(headline, pos?.line, pos?.col);
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // e.g. an alias expansion bomb ("excessive alias count")
    throw parseError(
      problem('CC_E_PARSE', '', `The YAML cannot be loaded: ${(error as Error).message}.`),
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const found = locateJsonError(text);
    if (found === undefined) throw parseError(located((error as Error).message));
    const { line, column } = lineColumn(text, found.offset);
    throw parseError(located(found.message, line, column));
  }
}

function located(message: string, line?: number, column?: number): Problem {
  const where = line === undefined ? '' : `Line ${line}, column ${column}: `;
  const p = problem('CC_E_PARSE', '', `${where}${message}.`.replace(/\.\.$/, '.'));
  if (line !== undefined) p.line = line;
  if (column !== undefined) p.column = column;
  return p;
}

function parseError(...problems: Problem[]): CCError {
  return new CCError('CC_E_PARSE', { problems });
}
