/** The `log` channel: a notification as step-log lines (one line per call of `ctx.log`). */
import { summaryLine, type Notification } from './notification.js';

/** `[WARNING] Deploy failed — first line of text`, then the rest indented, fields, links. */
export function notificationLines(n: Notification): string[] {
  const lines = [summaryLine(n)];
  const indent = (s: string) => s.split(/\r?\n/).map((l) => `    ${l}`);
  const textLines = n.text?.split(/\r?\n/) ?? [];
  for (const l of textLines.slice(1)) lines.push(`  ${l}`);
  for (const f of n.fields) {
    const [first = '', ...rest] = f.value.split(/\r?\n/);
    lines.push(`  ${f.title}: ${first}`);
    if (rest.length > 0) lines.push(...indent(rest.join('\n')));
  }
  for (const l of n.links) lines.push(`  ${l.text}: ${l.url}`);
  return lines;
}
