import { useEffect, useRef } from 'react';
import { Dialog } from '../../ui/dialog.js';
import { TableHead } from '../../ui/table.js';

export interface ShortcutHandlers {
  save(): void;
  undo(): void;
  redo(): void;
  removeSelection(): void;
  tidy(): void;
  help(): void;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const mod = isMac ? '⌘' : 'Ctrl';

export const shortcutList: [string, string][] = [
  [`${mod}+S`, 'Save (a new version)'],
  [`${mod}+Z`, 'Undo'],
  [`${mod}+Shift+Z or Ctrl+Y`, 'Redo'],
  ['Delete or Backspace', 'Remove the selected node or connection'],
  ['L', 'Tidy up: lay out the whole graph again'],
  ['Enter (on a palette action)', 'Add the action at a free spot'],
  ['Enter or Space (on a node)', 'Select it; arrow keys then move it'],
  ['?', 'Show these shortcuts'],
];

/** Whether the key goes to a text field (its own editing keys win over the builder's). */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.closest) return false;
  return !!el.closest('input, textarea, select, [contenteditable="true"], .cm-editor');
}

/**
 * The builder's keyboard shortcuts, on the whole page while it is open. Save works everywhere;
 * undo/redo everywhere but the YAML editor (which has its own history, whose result the document
 * follows); the single-key ones only outside text fields.
 */
export function useBuilderShortcuts(handlers: ShortcutHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const h = ref.current;
      const k = e.key.toLowerCase();
      const inEditor = !!(e.target as HTMLElement | null)?.closest?.('.cm-editor');
      if ((e.ctrlKey || e.metaKey) && !e.altKey) {
        if (k === 's') {
          e.preventDefault();
          h.save();
        } else if (k === 'z' && !inEditor) {
          e.preventDefault();
          if (e.shiftKey) h.redo();
          else h.undo();
        } else if (k === 'y' && !inEditor) {
          e.preventDefault();
          h.redo();
        }
        return;
      }
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      if (e.key === 'Delete' || e.key === 'Backspace') {
        // Only from the canvas (or nowhere in particular): not from a button of the panels.
        const target = e.target as HTMLElement | null;
        if (target !== document.body && !target?.closest?.('.bf-canvas')) return;
        e.preventDefault();
        h.removeSelection();
      } else if (k === 'l') {
        e.preventDefault();
        h.tidy();
      } else if (e.key === '?') {
        e.preventDefault();
        h.help();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose}>
      <table className="table bf-shortcuts">
        <TableHead caption="Builder keyboard shortcuts" columns={['Keys', 'Does']} />
        <tbody>
          {shortcutList.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
