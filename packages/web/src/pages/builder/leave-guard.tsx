import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { Dialog } from '../../ui/dialog.js';

/**
 * Asks before unsaved changes are lost: the browser's own prompt when the tab closes or reloads,
 * and a dialog when a link of the app is followed (the app uses a declarative router, which has
 * no navigation blocker, so in-app links are intercepted in the capture phase).
 */
export function LeaveGuard({ dirty }: { dirty: boolean }) {
  const navigate = useNavigate();
  const [target, setTarget] = useState<string | undefined>();

  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
        return;
      const a = (e.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (!a || a.target === '_blank' || a.origin !== window.location.origin) return;
      const to = a.pathname + a.search + a.hash;
      if (to === window.location.pathname + window.location.search + window.location.hash) return;
      e.preventDefault();
      e.stopPropagation();
      setTarget(to);
    };
    window.addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty]);

  return (
    <Dialog
      open={target !== undefined}
      title="Leave without saving?"
      onClose={() => setTarget(undefined)}
    >
      <p>The workflow has changes that are not saved. They are lost if you leave this page.</p>
      <div className="dialog-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => setTarget(undefined)}
          autoFocus
        >
          Stay and keep editing
        </button>
        <button
          type="button"
          className="btn btn-danger"
          onClick={() => {
            const to = target!;
            setTarget(undefined);
            void navigate(to);
          }}
        >
          Discard changes and leave
        </button>
      </div>
    </Dialog>
  );
}
