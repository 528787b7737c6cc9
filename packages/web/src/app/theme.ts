import { useCallback, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const key = 'cc.theme';

/** The saved theme, else the system's preference. */
export function initialTheme(): Theme {
  const saved = localStorage.getItem(key);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const listeners = new Set<() => void>();
const current = (): Theme => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(key, theme);
  for (const l of listeners) l();
}

/**
 * Listens to `setTheme` and also to direct changes of `data-theme` on <html> (another tab's
 * boot script, the e2e screenshots), so canvas colours never lag behind the CSS.
 */
function subscribe(l: () => void): () => void {
  listeners.add(l);
  const observer = new MutationObserver(l);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => {
    listeners.delete(l);
    observer.disconnect();
  };
}

/** The current theme and a toggle; components re-render when it changes (charts read colours). */
export function useTheme(): [Theme, () => void] {
  const theme = useSyncExternalStore(subscribe, current);
  const toggle = useCallback(() => setTheme(current() === 'dark' ? 'light' : 'dark'), []);
  return [theme, toggle];
}

/** A CSS custom property's value (for canvas charts, which cannot use var()). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
