/**
 * A Server-Sent Events parser (WHATWG HTML "event stream interpretation"), fed with decoded text
 * chunks as they arrive. Platform-neutral: no I/O, no timers.
 */

/** One dispatched message of an event stream. */
export interface SseMessage {
  /** The last event id at dispatch time (`''` when the stream never sent one). */
  id: string;
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

/**
 * Incremental parser: `push()` text as it arrives and get the messages it completes. Lines end
 * with LF, CR or CRLF (also when the CR and the LF arrive in different chunks); `:` lines are
 * comments; a message without `data:` is not dispatched (but its `id:` still counts).
 */
export class SseParser {
  /** The reconnection delay the server asked for with `retry:`, in milliseconds. */
  retryMs: number | undefined;
  private lastId: string;
  private pending = '';
  private skipLeadingLF = false;
  private data: string[] = [];
  private eventType = '';

  /** @param lastEventId the id a resumed stream starts from (it is the id of messages until one sets another). */
  constructor(lastEventId = '') {
    this.lastId = lastEventId;
  }

  /** The last event id seen (or given to the constructor). */
  get lastEventId(): string {
    return this.lastId;
  }

  /** Feeds a chunk of decoded text; returns the messages it completed, in order. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.skipLeadingLF && text.startsWith('\n')) text = text.slice(1);
    this.skipLeadingLF = false;
    const out: SseMessage[] = [];
    let start = 0;
    const all = this.pending + text;
    let i = this.pending.length;
    this.pending = '';
    for (; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = all.slice(start, i);
      if (c === 13) {
        if (i + 1 < all.length) {
          if (all.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLeadingLF = true;
        }
      }
      start = i + 1;
      const message = this.line(line);
      if (message) out.push(message);
    }
    this.pending = all.slice(start);
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        // Unknown fields are ignored, as the standard says.
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const data = this.data;
    const event = this.eventType || 'message';
    this.data = [];
    this.eventType = '';
    if (data.length === 0) return undefined;
    return { id: this.lastId, event, data: data.join('\n') };
  }
}
