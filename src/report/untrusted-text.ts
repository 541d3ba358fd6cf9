// Text from a host or a bundle reaches a terminal only through here: a realserver that prints
// ESC sequences could otherwise set the title, clear the screen or plant OSC 8 links in the
// doctor's own report. Control characters are shown escaped (`\x1b`), visibly, instead.
// Tab and newline stay: they move the cursor, they do not program the terminal, and every
// face already lays out (or folds) multi-line text its own way. JSON needs none of this (it
// escapes by itself) and stays lossless.

export { escapeControls } from '../util/control-chars.js';
import { escapeControls } from '../util/control-chars.js';

/** The same value with every string in it escaped: what a face may print. */
export function displaySafe<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => displaySafe(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControls(k), displaySafe(v)])) as T;
  }
  return value;
}
