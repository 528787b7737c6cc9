/**
 * Subjects of the event bus (SPEC §6): `cc.<project>.<event>`, NATS-style patterns, and the
 * JetStream stream of each project.
 */

/** Every subject of a project's bus starts with `cc.<project>.`. */
export const subjectPrefix = (project: string): string => `cc.${project}.`;

/** The NATS subject of an event of a project (`subject` relative, e.g. `audit.result.fail`). */
export const natsSubject = (project: string, subject: string): string =>
  `${subjectPrefix(project)}${subject}`;

/** The message id (`Nats-Msg-Id`) of an engine event: its outbox id, in its own namespace. */
export const engineMsgId = (eventId: number | string): string => `cc-event-${eventId}`;

/**
 * The JetStream stream of a project: `CC_` and the project name upper-cased with `-` as `_`.
 * Injective (project names are `[a-z0-9][a-z0-9-]*`, without `_`) and free of the characters a
 * stream name cannot contain (`.`, `*`, `>`, whitespace).
 */
export const streamName = (project: string): string =>
  `CC_${project.toUpperCase().replace(/-/g, '_')}`;

/**
 * First tokens the hub publishes itself (`workflow.*`, `approval.*`, `agent.registered`) or that
 * NATS agents serve (`agent.<name>`, request/reply): external events cannot use them.
 */
export const RESERVED_FIRST_TOKENS: readonly string[] = ['workflow', 'approval', 'agent'];

/**
 * Whether `subject` (no wildcards) matches `pattern`: `*` matches one token, `>` (last) one or
 * more. Both are relative to `cc.<project>.`.
 */
export function matchSubject(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i]!;
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Why `subject` cannot be published by an external system through the API, or undefined. */
export function publishSubjectProblem(
  subject: string,
): { message: string; fix: string } | undefined {
  const tokens = subject.split('.');
  if (/[\s*>]/.test(subject) || tokens.some((t) => t === '')) {
    return {
      message: `Subject "${subject.slice(0, 200)}" is not a concrete subject.`,
      fix: 'Use dot-separated tokens without whitespace or wildcards (`*`, `>`), e.g. `audit.result.fail`.',
    };
  }
  if (RESERVED_FIRST_TOKENS.includes(tokens[0]!)) {
    return {
      message: `Subject "${subject.slice(0, 200)}" is in the hub's own namespace "${tokens[0]}.": workflow.*, approval.* and agent.registered are published by the engine, and agent.<name> subjects are NATS agents' requests.`,
      fix: 'Publish your own events under another first token, e.g. `audit.result.fail` or `deploy.done`.',
    };
  }
  return undefined;
}

/**
 * The subjects a project's stream captures. Everything under `cc.<project>.` except the
 * two-token subjects `agent.<name>`: those are NATS agents' request/reply subjects, and a stream
 * capturing them would answer each request with its PubAck (and store its inputs). A stream
 * cannot exclude a subject, so it captures one-token subjects, subjects of three or more tokens,
 * the engine's two-token events (`approval.*`, `agent.registered`), and the two-token subjects
 * `<first>.*` whose first token an event trigger of the project names literally.
 */
export function streamSubjects(project: string, patterns: readonly string[]): string[] {
  const pre = subjectPrefix(project);
  const out = new Set([`${pre}*`, `${pre}*.*.>`, `${pre}approval.*`, `${pre}agent.registered`]);
  for (const pattern of patterns) {
    const first = twoTokenFirst(pattern);
    if (first && first !== '*' && !RESERVED_FIRST_TOKENS.includes(first))
      out.add(`${pre}${first}.*`);
  }
  return [...out].sort();
}

/**
 * Patterns with a wildcard first token that match two-token subjects (`>`, `*.x`, `*.*`, `*.>`):
 * the stream cannot capture every two-token subject for them, only those whose first token some
 * trigger names (their one-token and three-or-more-token subjects are captured). For warnings.
 */
export function partlyCapturedPatterns(patterns: readonly string[]): string[] {
  return patterns.filter((p) => twoTokenFirst(p) === '*');
}

/** The first token of a pattern that can match a two-token subject (`*` for `>`), else undefined. */
function twoTokenFirst(pattern: string): string | undefined {
  const t = pattern.split('.');
  if (t.length === 1) return t[0] === '>' ? '*' : undefined;
  if (t.length === 2) return t[0];
  return undefined;
}
