import { isCCError, type Problem } from '@commandcenter/protocol/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from '../../api/client.js';
import type { Doc } from './model.js';
import { locateProblems, noProblems, type LocatedProblems } from './problems.js';

const debounceMs = 400;

interface Result {
  /** The document the hub checked (problem paths index its nodes). */
  doc: Doc;
  errors: Problem[];
  warnings: Problem[];
}

export interface Validation {
  problems: LocatedProblems;
  checking: boolean;
  /** Whether the hub has answered for some version of the document. */
  checked: boolean;
  /** Why the hub could not check (unreachable…), when it could not. */
  failure: unknown;
  /** Shows the problems of a refused save (422) at once. */
  showRefusal(doc: Doc, err: unknown): boolean;
}

/**
 * Validates the document with the hub (`POST /workflows/validate`) as it is edited, debounced,
 * and maps every problem to its node and field. Only the latest request's answer counts.
 */
export function useValidation(doc: Doc): Validation {
  const client = useClient();
  const [result, setResult] = useState<Result | undefined>();
  const [checking, setChecking] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const seq = useRef(0);

  const fromError = useCallback((checked: Doc, err: unknown): Result | undefined => {
    if (isCCError(err) && err.status === 422) {
      const errors = err.problems.length
        ? err.problems
        : [{ code: err.code, path: '', message: err.detail, fix: err.fix }];
      return { doc: checked, errors, warnings: [] };
    }
    return undefined;
  }, []);

  useEffect(() => {
    const nodes = Array.isArray(doc.nodes) ? doc.nodes.length : 0;
    if (nodes === 0) {
      seq.current++;
      setResult(undefined);
      setChecking(false);
      return;
    }
    const mine = ++seq.current;
    setChecking(true);
    const timer = setTimeout(() => {
      client.validateWorkflow(doc).then(
        (ok) => {
          if (mine !== seq.current) return;
          setResult({ doc, errors: [], warnings: ok.warnings });
          setFailure(undefined);
          setChecking(false);
        },
        (err: unknown) => {
          if (mine !== seq.current) return;
          const r = fromError(doc, err);
          if (r) {
            setResult(r);
            setFailure(undefined);
          } else setFailure(err);
          setChecking(false);
        },
      );
    }, debounceMs);
    return () => clearTimeout(timer);
  }, [client, doc, fromError]);

  const showRefusal = useCallback(
    (checked: Doc, err: unknown) => {
      const r = fromError(checked, err);
      if (!r) return false;
      seq.current++;
      setResult(r);
      setChecking(false);
      return true;
    },
    [fromError],
  );

  const problems = useMemo(
    () => (result ? locateProblems(result.doc, result.errors, result.warnings) : noProblems),
    [result],
  );
  return { problems, checking, checked: result !== undefined, failure, showRefusal };
}
