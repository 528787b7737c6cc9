import { yaml } from '@codemirror/lang-yaml';
import { Annotation, EditorSelection } from '@codemirror/state';
import { isCCError, parseDocumentText } from '@commandcenter/protocol/client';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { canonical, type Doc } from './model.js';
import { docToYaml } from './yaml-text.js';

/** Marks the editor updates that come from the document (not from typing). */
const fromDoc = Annotation.define<boolean>();
const parseDelayMs = 300;

/** Text typed in the YAML tab that does not parse yet, kept across tab switches. */
export interface YamlDraft {
  text: string;
  /** The document the draft was typed over: stale once the document changes elsewhere. */
  base: Doc;
}

interface ParseError {
  message: string;
  line?: number;
  column?: number;
}

function parse(text: string): { doc: Doc } | { error: ParseError } {
  try {
    const value = parseDocumentText(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { error: { message: 'The workflow must be a YAML mapping (name:, nodes:, …).' } };
    }
    const doc = value as Doc;
    if (doc.nodes !== undefined && !Array.isArray(doc.nodes)) {
      return {
        error: { message: '`nodes` must be a list of nodes (each line starting with "- id: …").' },
      };
    }
    return { doc: { ...doc, nodes: doc.nodes ?? [] } };
  } catch (e) {
    const p = isCCError(e) ? e.problems[0] : undefined;
    // The message starts with its position, which is shown separately.
    const message = (p?.message ?? (e as Error).message).replace(/^Line \d+, column \d+: /, '');
    return { error: { message, line: p?.line, column: p?.column } };
  }
}

const editorTheme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--surface)', color: 'var(--text)' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: '12.5px',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--surface-2)',
    color: 'var(--muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--accent-soft)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--accent-soft)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': {
    backgroundColor: 'var(--accent-soft) !important',
  },
});

/**
 * The workflow as YAML (CodeMirror 6), editing the same document as the canvas: text that parses
 * replaces the document (one undo step per pause in typing), and a document changed elsewhere
 * (canvas, undo) replaces the text. Text that does not parse stays, with the line and column of
 * the error, and the canvas keeps the last valid document.
 */
export function YamlTab({
  doc,
  onChange,
  draft,
}: {
  doc: Doc;
  onChange: (doc: Doc) => void;
  draft: RefObject<YamlDraft | undefined>;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const emitted = useRef<Doc>(doc);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [error, setError] = useState<ParseError | undefined>();

  // Parses what was typed; also run at once when the tab closes, so nothing typed is lost.
  const flush = useRef(() => {});
  flush.current = () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const v = view.current;
    if (!v) return;
    const text = v.state.doc.toString();
    const result = parse(text);
    if ('error' in result) {
      setError(result.error);
      draft.current = { text, base: emitted.current };
      return;
    }
    setError(undefined);
    draft.current = undefined;
    // Formatting-only edits (and undoing a typo) change nothing: no undo step.
    if (canonical(result.doc) === canonical(emitted.current)) return;
    emitted.current = result.doc;
    onChangeRef.current(result.doc);
  };

  useEffect(() => {
    const kept =
      draft.current && draft.current.base === emitted.current ? draft.current.text : undefined;
    const v = new EditorView({
      parent: host.current!,
      doc: kept ?? docToYaml(emitted.current),
      extensions: [
        basicSetup,
        yaml(),
        editorTheme,
        EditorView.contentAttributes.of({ 'aria-label': 'Workflow YAML' }),
        EditorView.updateListener.of((u) => {
          if (!u.docChanged || u.transactions.some((t) => t.annotation(fromDoc))) return;
          clearTimeout(timer.current);
          timer.current = setTimeout(() => flush.current(), parseDelayMs);
        }),
      ],
    });
    view.current = v;
    if (kept !== undefined) flush.current();
    return () => {
      if (timer.current) flush.current();
      v.destroy();
      view.current = undefined;
    };
  }, [draft]);

  // The document changed elsewhere (canvas, panel, undo): show it.
  useEffect(() => {
    const v = view.current;
    if (!v || doc === emitted.current) return;
    emitted.current = doc;
    clearTimeout(timer.current);
    timer.current = undefined;
    draft.current = undefined;
    setError(undefined);
    v.dispatch({
      changes: { from: 0, to: v.state.doc.length, insert: docToYaml(doc) },
      annotations: fromDoc.of(true),
    });
  }, [doc, draft]);

  const goTo = (line: number, column = 1) => {
    const v = view.current;
    if (!v) return;
    const l = v.state.doc.line(Math.min(Math.max(1, line), v.state.doc.lines));
    const pos = Math.min(l.from + column - 1, l.to);
    v.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
    v.focus();
  };

  return (
    <div className="bf-yaml">
      <div className="bf-yaml-editor" ref={host} />
      <div className={`bf-yaml-status${error ? ' bad' : ''}`} role="status" aria-live="polite">
        {error ? (
          <>
            <strong>
              {error.line !== undefined ? `Line ${error.line}, column ${error.column ?? 1}: ` : ''}
              The YAML does not parse.
            </strong>{' '}
            <span>{error.message}</span>{' '}
            <span className="muted">The canvas keeps the last valid version.</span>
            {error.line !== undefined && (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => goTo(error.line!, error.column)}
              >
                Go to line {error.line}
              </button>
            )}
          </>
        ) : (
          <span className="muted">
            Edits here update the canvas as soon as they parse; edits on the canvas show here.
          </span>
        )}
      </div>
    </div>
  );
}
