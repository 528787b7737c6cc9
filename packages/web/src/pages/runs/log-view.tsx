import type { LogLine } from '@commandcenter/protocol/client';
import {
  useDeferredValue,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type UIEvent,
} from 'react';

/** Every log row has this height, so the view renders only the rows in sight (windowing). */
const ROW = 18;
/** Rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 12;

const timeFormat = new Intl.DateTimeFormat('en', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});

/**
 * A step's log: windowed (only the visible rows are in the DOM, so 10,000 lines scroll as
 * smoothly as 10), following new lines while the reader is at the bottom and staying put once
 * they scroll up, with a filter box. `role="log"` named "Logs of <node>".
 */
export function LogView({
  lines,
  nodeId,
  emptyText,
  height = 260,
}: {
  lines: readonly LogLine[];
  nodeId: string;
  emptyText: string;
  height?: number;
}) {
  const filterId = useId();
  const [filter, setFilter] = useState('');
  const deferredFilter = useDeferredValue(filter.trim().toLowerCase());
  const shown = useMemo(
    () =>
      deferredFilter ? lines.filter((l) => l.line.toLowerCase().includes(deferredFilter)) : lines,
    [lines, deferredFilter],
  );
  const attempts = useMemo(() => new Set(lines.map((l) => l.attempt)).size > 1, [lines]);
  const items = useMemo(() => lines.some((l) => l.stepKey.endsWith(']')), [lines]);

  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [follow, setFollow] = useState(true);

  // While following, every new line scrolls to the bottom before the browser paints.
  useLayoutEffect(() => {
    const el = box.current;
    if (!follow || !el) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop); // render the bottom rows in this same frame
  }, [shown, follow]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW / 2;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  const visible = shown.slice(first, last);
  const count =
    shown.length === lines.length
      ? `${lines.length.toLocaleString('en')} ${lines.length === 1 ? 'line' : 'lines'}`
      : `${shown.length.toLocaleString('en')} of ${lines.length.toLocaleString('en')} lines`;

  return (
    <div className="logs">
      <div className="logs-toolbar">
        <label htmlFor={filterId} className="visually-hidden">
          Filter log lines of {nodeId}
        </label>
        <input
          id={filterId}
          type="search"
          placeholder="Filter lines…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <span className="muted logs-count" aria-live="polite" data-testid="log-count">
          {count}
        </span>
        <button
          type="button"
          className="btn btn-small"
          aria-pressed={follow}
          onClick={() => setFollow((f) => !f)}
          title={
            follow ? 'Stop following new lines' : 'Jump to the latest line and follow new ones'
          }
        >
          {follow ? 'Following' : 'Follow'}
        </button>
      </div>
      <div
        ref={box}
        className="logs-box"
        role="log"
        aria-label={`Logs of ${nodeId}`}
        tabIndex={0}
        style={{ height }}
        onScroll={onScroll}
      >
        {shown.length === 0 ? (
          <p className="logs-empty muted">
            {lines.length === 0 ? emptyText : 'No line matches the filter.'}
          </p>
        ) : (
          <div className="logs-rows" style={{ height: shown.length * ROW }}>
            <div style={{ transform: `translateY(${first * ROW}px)` }}>
              {visible.map((l) => (
                <div key={l.id} className="log-line" style={{ height: ROW }}>
                  <span className="log-ts">{timeFormat.format(new Date(l.ts))}</span>
                  {attempts && <span className="log-tag">#{l.attempt}</span>}
                  {items && (
                    <span className="log-tag">
                      {l.stepKey.endsWith(']') ? l.stepKey.slice(l.stepKey.lastIndexOf('[')) : ''}
                    </span>
                  )}
                  <span className="log-text">{l.line}</span>
                </div>
              ))}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
