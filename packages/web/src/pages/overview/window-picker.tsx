import type { OverviewWindow } from '@commandcenter/protocol/client';
import { windows } from './overview-data.js';

/**
 * The time window as a segmented control. Native radio buttons: one tab stop, arrow keys move
 * between windows, and the group is named for screen readers.
 */
export function WindowPicker({
  value,
  onChange,
}: {
  value: OverviewWindow;
  onChange: (w: OverviewWindow) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">Time window</legend>
      {windows.map((w) => (
        <label key={w.id} className={w.id === value ? 'on' : undefined} title={`Show ${w.long}`}>
          <input
            type="radio"
            name="overview-window"
            value={w.id}
            checked={w.id === value}
            onChange={() => onChange(w.id)}
          />
          {w.label}
        </label>
      ))}
    </fieldset>
  );
}

export function parseWindow(raw: string | null): OverviewWindow {
  return windows.find((w) => w.id === raw)?.id ?? '1h';
}
