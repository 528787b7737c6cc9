/**
 * Shape check of cron expressions at apply time (the scheduler parses them again when it runs).
 *
 * Accepted: 5 fields `minute hour day-of-month month day-of-week`, or 6 fields with seconds
 * first; each field a comma list of `*`, `N`, `N-M`, with an optional `/step`; `?` in the day
 * fields; month names `JAN`-`DEC` and weekday names `SUN`-`SAT`; and the macros
 * `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  question?: boolean;
}

const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weekdays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const second: CronField = { name: 'second', min: 0, max: 59 };
const fiveFields: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: months },
  { name: 'day-of-week', min: 0, max: 7, names: weekdays, question: true },
];

/** The macros accepted in place of five fields. */
export const cronMacros = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
] as const;

/**
 * Checks a cron expression; returns undefined when it is well-formed, else a message saying
 * which field is wrong and why.
 */
export function checkCron(expression: string): string | undefined {
  const text = expression.trim();
  if (text.startsWith('@')) {
    return (cronMacros as readonly string[]).includes(text.toLowerCase())
      ? undefined
      : `unknown cron macro "${text}" (use one of ${cronMacros.join(', ')})`;
  }
  const parts = text.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5 && parts.length !== 6) {
    return `cron expression "${expression}" has ${parts.length} fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)`;
  }
  const fields = parts.length === 6 ? [second, ...fiveFields] : fiveFields;
  for (let i = 0; i < parts.length; i++) {
    const error = checkField(parts[i]!, fields[i]!);
    if (error !== undefined) return `${fields[i]!.name} field "${parts[i]}": ${error}`;
  }
  return undefined;
}

function checkField(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const error = checkItem(item, field);
    if (error !== undefined) return error;
  }
  return undefined;
}

function checkItem(item: string, field: CronField): string | undefined {
  if (item === '') return 'empty list item';
  if (item === '?') return field.question ? undefined : '"?" is only allowed in the day fields';
  const [range, step, extra] = item.split('/');
  if (extra !== undefined) return `"${item}" has more than one "/"`;
  if (step !== undefined && !/^\d+$/.test(step)) return `step "${step}" is not a number`;
  if (step !== undefined && Number(step) < 1) return 'step must be at least 1';
  if (range === '*') return undefined;
  const bounds = range!.split('-');
  if (bounds.length > 2) return `"${range}" is not a value or a range`;
  const values: number[] = [];
  for (const bound of bounds) {
    const value = fieldValue(bound, field);
    if (value === undefined) {
      const names = field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : '';
      return `"${bound}" is not a value in ${field.min}-${field.max}${names}`;
    }
    values.push(value);
  }
  if (values.length === 2 && values[0]! > values[1]!) {
    return `range "${range}" starts after it ends`;
  }
  return undefined;
}

function fieldValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) return undefined;
  return field.names === months ? index + 1 : index;
}
