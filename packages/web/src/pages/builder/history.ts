/**
 * Undo/redo: a capped stack of whole documents (they are small and immutable, so a snapshot
 * costs only the changed objects). Consecutive edits of the same field (`group`) within a moment
 * are one step, so undo reverts a typed word rather than a keystroke.
 */
import { useCallback, useMemo, useReducer } from 'react';
import type { Doc } from './model.js';

const cap = 100;
const groupWindowMs = 1500;

interface State {
  past: Doc[];
  present: Doc;
  future: Doc[];
  group: string | undefined;
  at: number;
}

type Action =
  | { type: 'commit'; doc: Doc; group?: string; now: number }
  | { type: 'update'; fn: (doc: Doc) => Doc; group?: string; now: number }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; doc: Doc };

function reduce(s: State, a: Action): State {
  switch (a.type) {
    case 'update':
      return reduce(s, { type: 'commit', doc: a.fn(s.present), group: a.group, now: a.now });
    case 'commit': {
      if (a.doc === s.present) return s;
      const merge = a.group !== undefined && a.group === s.group && a.now - s.at < groupWindowMs;
      const past = merge ? s.past : [...s.past, s.present].slice(-cap);
      return { past, present: a.doc, future: [], group: a.group, at: a.now };
    }
    case 'undo': {
      const prev = s.past.at(-1);
      if (!prev) return s;
      return {
        past: s.past.slice(0, -1),
        present: prev,
        future: [s.present, ...s.future],
        group: undefined,
        at: 0,
      };
    }
    case 'redo': {
      const next = s.future[0];
      if (!next) return s;
      return {
        past: [...s.past, s.present],
        present: next,
        future: s.future.slice(1),
        group: undefined,
        at: 0,
      };
    }
    case 'reset':
      return { past: [], present: a.doc, future: [], group: undefined, at: 0 };
  }
}

export interface History {
  doc: Doc;
  canUndo: boolean;
  canRedo: boolean;
  /** Records a new document; edits with the same `group` in quick succession merge. */
  commit(doc: Doc, group?: string): void;
  /** Like commit, computed from the latest document (stable callbacks for memoised forms). */
  update(fn: (doc: Doc) => Doc, group?: string): void;
  undo(): void;
  redo(): void;
  /** Starts over from `doc` (after loading), forgetting the stack. */
  reset(doc: Doc): void;
}

export function useHistory(initial: () => Doc): History {
  const [s, dispatch] = useReducer(reduce, undefined, () => ({
    past: [],
    present: initial(),
    future: [],
    group: undefined,
    at: 0,
  }));
  const commit = useCallback(
    (doc: Doc, group?: string) => dispatch({ type: 'commit', doc, group, now: Date.now() }),
    [],
  );
  const update = useCallback(
    (fn: (doc: Doc) => Doc, group?: string) =>
      dispatch({ type: 'update', fn, group, now: Date.now() }),
    [],
  );
  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  const reset = useCallback((doc: Doc) => dispatch({ type: 'reset', doc }), []);
  return useMemo(
    () => ({
      doc: s.present,
      canUndo: s.past.length > 0,
      canRedo: s.future.length > 0,
      commit,
      update,
      undo,
      redo,
      reset,
    }),
    [s, commit, update, undo, redo, reset],
  );
}
