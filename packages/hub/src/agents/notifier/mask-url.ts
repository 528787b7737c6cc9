/**
 * Webhook URLs are credentials (the path or query holds the token), so logs, errors and outputs
 * show them with everything after the host masked.
 */

/** `https://hooks.slack.com/***` for `https://hooks.slack.com/services/T0/B0/xyz`. */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(an invalid URL)';
  }
  const hidden = (url.pathname !== '' && url.pathname !== '/') || url.search !== '';
  return `${url.protocol}//${url.host}${hidden ? '/***' : ''}`;
}

/**
 * `text` with every form of `raw` that could carry its secret replaced by the masked URL: the
 * URL as given, as normalized by the URL parser, and its path and query on their own.
 */
export function scrubUrl(text: string, raw: string): string {
  const forms = new Set<string>([raw]);
  try {
    const url = new URL(raw);
    forms.add(url.href);
    const rest = `${url.pathname}${url.search}`;
    if (rest.length > 1) forms.add(rest);
    if (url.pathname.length > 1) forms.add(url.pathname);
    if (url.search.length > 1) forms.add(url.search);
    if (url.password) forms.add(url.password);
  } catch {
    // An unparsable URL is only replaced as given.
  }
  const masked = maskUrl(raw);
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form) out = out.split(form).join(masked);
  }
  return out;
}
