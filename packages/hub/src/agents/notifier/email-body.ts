/**
 * The e-mail bodies of a notification: a plain-text part anyone can read, and a simple HTML
 * part (inline styles only, as mail clients drop style sheets) with the severity as a colour bar.
 */
import {
  runLine,
  severityColors,
  summaryLine,
  type Notification,
  type RunInfo,
} from './notification.js';

/** The subject when the node gives none: `[WARNING] Deploy failed`. */
export function defaultSubject(n: Notification): string {
  // Header lines should stay short; mail clients cut long subjects anyway.
  const line = summaryLine(n);
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The plain-text body. */
export function emailText(n: Notification, run: RunInfo): string {
  const parts: string[] = [
    `${n.severity.toUpperCase()}${n.title !== undefined ? `: ${n.title}` : ''}`,
  ];
  if (n.text !== undefined) parts.push(n.text);
  if (n.fields.length > 0) parts.push(n.fields.map((f) => `${f.title}: ${f.value}`).join('\n'));
  if (n.links.length > 0) parts.push(n.links.map((l) => `${l.text}: ${l.url}`).join('\n'));
  parts.push(`-- \nSent by CommandCenter · ${runLine(run)}`);
  return `${parts.join('\n\n')}\n`;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The HTML body. */
export function emailHtml(n: Notification, run: RunInfo): string {
  const color = severityColors[n.severity];
  const rows: string[] = [];
  rows.push(
    `<div style="font-size:12px;font-weight:bold;letter-spacing:.05em;color:${color}">` +
      `${n.severity.toUpperCase()}</div>`,
  );
  if (n.title !== undefined) {
    rows.push(`<h2 style="margin:4px 0 8px;font-size:18px">${escapeHtml(n.title)}</h2>`);
  }
  if (n.text !== undefined) {
    rows.push(`<p style="margin:0 0 12px;white-space:pre-wrap">${escapeHtml(n.text)}</p>`);
  }
  if (n.fields.length > 0) {
    const cells = n.fields.map(
      (f) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555;vertical-align:top">` +
        `${escapeHtml(f.title)}</th><td style="padding:2px 0;white-space:pre-wrap">` +
        `${escapeHtml(f.value)}</td></tr>`,
    );
    rows.push(`<table style="border-collapse:collapse;margin:0 0 12px">${cells.join('')}</table>`);
  }
  if (n.links.length > 0) {
    const links = n.links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.text)}</a>`);
    rows.push(`<p style="margin:0 0 12px">${links.join(' · ')}</p>`);
  }
  return (
    '<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,' +
    'sans-serif;font-size:14px;color:#1d1d1d">' +
    `<div style="border-left:4px solid ${color};padding:8px 16px">${rows.join('')}</div>` +
    `<p style="color:#888;font-size:12px;margin-top:16px">Sent by CommandCenter · ` +
    `${escapeHtml(runLine(run))}</p></body></html>`
  );
}
