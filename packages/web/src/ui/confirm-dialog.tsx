import type { ReactNode } from 'react';
import { Dialog, DialogActions } from './dialog.js';

/**
 * Asks before an irreversible action (delete a secret, revoke a token). The confirm button names
 * the action, so screen readers and tests can find it without guessing.
 */
export function ConfirmDialog({
  open,
  title,
  confirmLabel,
  busy,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="confirm-body">{children}</div>
      <DialogActions onCancel={onClose}>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={onConfirm}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </DialogActions>
    </Dialog>
  );
}
