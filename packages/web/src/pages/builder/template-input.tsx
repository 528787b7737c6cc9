import {
  createContext,
  memo,
  useContext,
  useId,
  useMemo,
  useRef,
  useState,
  type ChangeEvent,
  type KeyboardEvent,
} from 'react';
import {
  acceptSuggestion,
  matchSuggestions,
  templateContext,
  type Suggestion,
} from './templates.js';

/**
 * A text field that completes `{{ … }}` templates: typing inside `{{` opens a listbox of what the
 * template can read (WAI-ARIA combobox: arrow keys move, Enter or Tab accepts, Escape closes).
 * The completions come from context (the node panel provides its node's), so every field of a
 * form completes without threading them through props.
 */
export const SuggestionsContext = createContext<() => Suggestion[]>(() => []);

type Props = {
  id: string;
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
  required?: boolean;
  inputMode?: 'text' | 'decimal' | 'numeric';
  /** Accessible name when no <label htmlFor> names the field. */
  label?: string;
  onBlur?: () => void;
};

export const TemplateInput = memo(function TemplateInput(props: Props) {
  const suggestionsOf = useContext(SuggestionsContext);
  const listId = useId();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [ctx, setCtx] = useState<{ start: number; token: string; caret: number } | undefined>();
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<number | undefined>();
  const options = useMemo(
    () => (ctx ? matchSuggestions(suggestionsOf(), ctx.token) : []),
    [ctx, suggestionsOf],
  );
  const open = options.length > 0 && closedAt !== ctx?.start;

  const track = (text: string, caret: number) => {
    const c = templateContext(text, caret);
    setCtx(c ? { ...c, caret } : undefined);
    setActive(0);
  };
  const onInput = (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    props.onChange(e.target.value);
    track(e.target.value, e.target.selectionStart ?? e.target.value.length);
  };
  const accept = (s: Suggestion) => {
    if (!ctx) return;
    const next = acceptSuggestion(props.value, ctx.caret, ctx.start, s.value);
    props.onChange(next.text);
    setCtx(undefined);
    requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + options.length) % options.length);
      e.preventDefault();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      accept(options[active]!);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      setClosedAt(ctx?.start);
      e.preventDefault();
      e.stopPropagation();
    }
  };
  const common = {
    id: props.id,
    ref,
    value: props.value,
    onChange: onInput,
    onKeyDown,
    onBlur: () => {
      setCtx(undefined);
      props.onBlur?.();
    },
    onSelect: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
      const el = e.currentTarget;
      if (ctx && el.selectionStart !== ctx.caret) track(el.value, el.selectionStart ?? 0);
    },
    placeholder: props.placeholder,
    spellCheck: false,
    autoComplete: 'off',
    // A <textarea> is a textbox (no combobox role, no aria-expanded); an <input> is a combobox.
    role: props.multiline ? undefined : 'combobox',
    'aria-label': props.label,
    'aria-autocomplete': 'list' as const,
    'aria-expanded': props.multiline ? undefined : open,
    'aria-controls': listId,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined,
    'aria-invalid': props.invalid || undefined,
    'aria-describedby': props.describedBy,
    'aria-required': props.required || undefined,
  };
  return (
    <div className="tpl">
      {props.multiline ? (
        <textarea {...common} rows={Math.min(6, Math.max(2, props.value.split('\n').length))} />
      ) : (
        <input {...common} type="text" inputMode={props.inputMode} />
      )}
      <ul
        id={listId}
        role="listbox"
        className="tpl-list"
        hidden={!open}
        aria-label="Template completions"
      >
        {open &&
          options.map((s, i) => (
            <li
              key={s.value}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              // mousedown, not click: the input must not blur (and close the list) first
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
            >
              <span className="mono">{s.value}</span>
              <span className="tpl-detail">{s.detail}</span>
            </li>
          ))}
      </ul>
    </div>
  );
});
