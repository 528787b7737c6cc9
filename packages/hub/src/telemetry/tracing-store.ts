import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import type { Store } from '../store/port.js';
import { decorateQueries } from './instrumented-store.js';
import type { Tracing } from './tracing.js';

/**
 * A span per store query made on behalf of something traced (a step attempt, an HTTP request):
 * only when a recording span is active, so the workers' own loops (claims, heartbeats, timers,
 * completion batches) do not each start a trace of one span. The query text is recorded (values
 * are always bound parameters, never in the text); PGlite is PostgreSQL too.
 */
export function traceStore(store: Store, tracing: Tracing): Store {
  const base = {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
    [ATTR_DB_NAMESPACE]: store.schema,
  };
  return decorateQueries(store, async (sql, run) => {
    const parent = context.active();
    if (!trace.getSpan(parent)?.isRecording()) return run();
    const { summary, operation } = describe(sql);
    const span = tracing.tracer.startSpan(
      summary,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...base,
          [ATTR_DB_QUERY_SUMMARY]: summary,
          [ATTR_DB_OPERATION_NAME]: operation,
          [ATTR_DB_QUERY_TEXT]: sql.length > 2_000 ? `${sql.slice(0, 2_000)}…` : sql,
        },
      },
      parent,
    );
    try {
      return await context.with(trace.setSpan(parent, span), run);
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      span.setAttribute(ATTR_ERROR_TYPE, typeof e.code === 'string' ? e.code : 'error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(e.message ?? err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

interface Described {
  summary: string;
  operation: string;
}

const ENGINE_CALL = /^\s*select\s+(cc_\w+)\s*\(/i;
const FIRST_WORD = /^\s*(?:--[^\n]*\n\s*)*(\w+)/;
const TARGET = /\b(?:from|into|update|join)\s+("?[\w.]+"?)/i;
const described = new Map<string, Described>();

/**
 * A low-cardinality span name for a statement (`db.query.summary`): an engine transition is its
 * function (`cc_complete_and_claim`), anything else its operation and first table
 * (`SELECT runs`). Statement texts are constants, so each is described once.
 */
export function describe(sql: string): Described {
  let d = described.get(sql);
  if (d) return d;
  const call = ENGINE_CALL.exec(sql)?.[1];
  const operation = (FIRST_WORD.exec(sql)?.[1] ?? 'query').toUpperCase();
  if (call) d = { summary: call.toLowerCase(), operation: 'SELECT' };
  else {
    const target = TARGET.exec(sql)?.[1]?.replaceAll('"', '');
    d = { summary: target ? `${operation} ${target}` : operation, operation };
  }
  if (described.size < 2_000) described.set(sql, d);
  return d;
}
