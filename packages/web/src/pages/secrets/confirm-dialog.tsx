import type { ReactNode } from 'react';
import './admin-common.css';
import { Dialog } from '../../ui/dialog.js';

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
      <div className="admin-dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={onConfirm}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
