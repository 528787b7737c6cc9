import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog> element (focus trap, Escape and backdrop for free).
 * Rendered only while `open`.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={title}>
      {open && (
        <>
          <h2>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/**
 * The row of buttons that ends a dialog: Cancel (closes it without acting) first, then the
 * dialog's own actions, the main one last.
 */
export function DialogActions({
  onCancel,
  cancelLabel = 'Cancel',
  children,
}: {
  onCancel: () => void;
  cancelLabel?: string;
  children?: ReactNode;
}) {
  return (
    <div className="dialog-actions">
      <button type="button" className="btn" onClick={onCancel}>
        {cancelLabel}
      </button>
      {children}
    </div>
  );
}

/**
 * The buttons of a dialog's form: Cancel, any `children`, then the submit button, which says
 * what is happening (`busyLabel`) and cannot be pressed twice while `busy`.
 */
export function FormActions({
  onCancel,
  cancelLabel,
  submitLabel,
  busyLabel,
  busy = false,
  disabled = false,
  children,
}: {
  onCancel: () => void;
  cancelLabel?: string;
  submitLabel: string;
  busyLabel: string;
  busy?: boolean;
  disabled?: boolean;
  children?: ReactNode;
}) {
  return (
    <DialogActions onCancel={onCancel} cancelLabel={cancelLabel}>
      {children}
      <button type="submit" className="btn btn-primary" disabled={busy || disabled}>
        {busy ? busyLabel : submitLabel}
      </button>
    </DialogActions>
  );
}
