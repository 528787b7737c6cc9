/** The built-in `notifier` agent: its manifest and its actions. */
export { manifest } from './manifest.js';
export type * from './manifest.js';
export { createNotifierActions, type NotifierOptions } from './actions.js';
