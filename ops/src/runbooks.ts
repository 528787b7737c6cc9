/**
 * Where the alerts' `runbook_url` annotations point: a section of ops/RUNBOOKS.md per alert,
 * headed by the alert's name (GitHub's anchor of `## CCHubDown` is `#cchubdown`). Change the
 * base once here (and in prometheus/rules/alerts.yml) when the repository lives elsewhere.
 */
export const RUNBOOK_BASE =
  'https://github.com/commandcenter/commandcenter/blob/main/ops/RUNBOOKS.md';

/** The GitHub anchor of a Markdown heading: lower case, spaces to dashes, punctuation dropped. */
export const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

export const runbookUrl = (alertname: string) => `${RUNBOOK_BASE}#${anchorOf(alertname)}`;
