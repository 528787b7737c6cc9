import { useState, type ReactNode } from 'react';
import { useToast } from './toast.js';

/**
 * Copies a value to the clipboard. The Clipboard API needs a secure context (https or
 * localhost); elsewhere the value is selected so the user can press Ctrl+C.
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success(`${label} copied to the clipboard`);
    } catch {
      toast.info('Copying is not allowed here: select the text and press Ctrl+C');
    }
  };
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={() => void copy()}
      aria-label={`Copy ${label}`}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/**
 * A secret value the hub returns exactly once (a new API token, a webhook signing secret): shown
 * in a read-only field with a copy button and a warning, because closing it loses the value.
 */
export function ShownOnce({
  value,
  label,
  children,
}: {
  value: string;
  label: string;
  children?: ReactNode;
}) {
  return (
    <div className="shown-once" role="group" aria-label={`New ${label}`}>
      <p className="shown-once-warning">
        <strong>Copy it now:</strong> this {label} is shown only once and cannot be displayed again.
      </p>
      <div className="shown-once-value">
        <input
          readOnly
          value={value}
          aria-label={label}
          className="mono"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton value={value} label={label} />
      </div>
      {children}
    </div>
  );
}
