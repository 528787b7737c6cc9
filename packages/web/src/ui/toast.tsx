import { isCCError } from '@commandcenter/protocol/client';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** Toasts confirm actions ("Run started") and report failures with the hub's detail. */
type Kind = 'success' | 'error' | 'info';
interface Toast {
  id: number;
  kind: Kind;
  text: string;
}
interface ToastApi {
  success(text: string): void;
  info(text: string): void;
  /** An error: a CCError's detail (and fix), or the message. */
  error(err: unknown, prefix?: string): void;
}

const ToastContext = createContext<ToastApi | null>(null);
let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((kind: Kind, text: string) => {
    const id = nextId++;
    setToasts((t) => [...t.slice(-4), { id, kind, text }]);
    setTimeout(
      () => setToasts((t) => t.filter((x) => x.id !== id)),
      kind === 'error' ? 8000 : 4000,
    );
  }, []);
  const api = useMemo<ToastApi>(
    () => ({
      success: (text) => push('success', text),
      info: (text) => push('info', text),
      error: (err, prefix) => {
        const msg = isCCError(err)
          ? `${err.detail}${err.fix ? ` — ${err.fix}` : ''}`
          : err instanceof Error
            ? err.message
            : String(err);
        push('error', prefix ? `${prefix}: ${msg}` : msg);
      },
    }),
    [push],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`}>
            <span>{t.text}</span>
            <button
              type="button"
              className="icon-btn"
              aria-label="Dismiss notification"
              onClick={() => setToasts((all) => all.filter((x) => x.id !== t.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast outside ToastProvider');
  return api;
}
