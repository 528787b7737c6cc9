// Applies the saved (or the system's) theme before the first paint, so a dark-theme user never
// sees a white flash. Kept out of index.html so the page runs under a strict CSP (no inline script).
import { initialTheme } from './app/theme.js';

document.documentElement.dataset.theme = initialTheme();
