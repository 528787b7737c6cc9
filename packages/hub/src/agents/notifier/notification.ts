/**
 * The channel-neutral notification every action renders: title, text, severity, fields and
 * links, normalized once (defaults applied, field values turned into strings) so each channel
 * only decides how it looks.
 */
import type { ExecutionRequest } from '@commandcenter/protocol';
import type { NotificationContent, Severity } from './manifest.js';

/** Severity levels, least urgent first. */
export const severities: readonly Severity[] = ['info', 'success', 'warning', 'error', 'critical'];

/** The colour bar of each severity (Slack attachments, Discord embeds, e-mail accents). */
export const severityColors: Readonly<Record<Severity, string>> = {
  info: '#439FE0',
  success: '#2EB886',
  warning: '#DAA038',
  error: '#E01E5A',
  critical: '#8B0000',
};

/** A field with its value as text and its layout decided. */
export interface NotificationField {
  title: string;
  value: string;
  short: boolean;
}

/** A normalized notification (what {@link normalizeNotification} returns). */
export interface Notification {
  title?: string;
  text?: string;
  severity: Severity;
  fields: NotificationField[];
  links: { text: string; url: string }[];
}

/** The run a notification is sent from, as receivers see it. */
export interface RunInfo {
  id: string;
  project: string;
  workflow: string;
  version: number;
  step: string;
}

/** Applies defaults: severity `info`, fields `short` unless said otherwise, values as text. */
export function normalizeNotification(input: NotificationContent): Notification {
  const fields = (input.fields ?? []).map((f) => ({
    title: f.title,
    value: fieldValueText(f.value),
    short: f.short ?? true,
  }));
  return {
    ...(input.title !== undefined && input.title !== '' ? { title: input.title } : {}),
    ...(input.text !== undefined && input.text !== '' ? { text: input.text } : {}),
    severity: input.severity ?? 'info',
    fields,
    links: (input.links ?? []).map((l) => ({ text: l.text, url: l.url })),
  };
}

function fieldValueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `[WARNING] Deploy failed — 3 pods crashed`: the one-line form (fallbacks, logs, subjects). */
export function summaryLine(n: Notification): string {
  const head = [n.title, n.text?.split('\n')[0]].filter((s) => s !== undefined && s !== '');
  return `[${n.severity.toUpperCase()}] ${head.join(' — ')}`;
}

/** The run a request belongs to. */
export function runInfo(request: ExecutionRequest): RunInfo {
  return {
    id: request.run.id,
    project: request.run.project,
    workflow: request.run.workflow,
    version: request.run.version,
    step: request.step.key,
  };
}

/** `run 0193… of project/workflow v3`: the footer/context line of every channel. */
export function runLine(run: RunInfo): string {
  return `${run.project}/${run.workflow} v${run.version} · step ${run.step} · run ${run.id}`;
}

/**
 * `s` cut to `max` characters (code points are not split) with an ellipsis; `cut` is true when
 * something was removed.
 */
export function truncate(s: string, max: number): { text: string; cut: boolean } {
  if (s.length <= max) return { text: s, cut: false };
  let end = Math.max(0, max - 1);
  // Do not leave half of a surrogate pair before the ellipsis.
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { text: `${s.slice(0, end)}…`, cut: true };
}

/** Tracks what a channel had to shorten to fit its limits, to log and report it. */
export class Truncations {
  readonly parts: string[] = [];

  /** `s` fitted to `max`, noting `part` when it had to be cut. */
  fit(s: string, max: number, part: string): string {
    const { text, cut } = truncate(s, max);
    if (cut) this.parts.push(`${part} (${s.length} > ${max} characters)`);
    return text;
  }

  /** Notes something dropped or shortened that {@link fit} does not cover. */
  note(what: string): void {
    this.parts.push(what);
  }
}
