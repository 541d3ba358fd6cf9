// Text from a host or a bundle reaches a terminal only through here: a realserver that prints
// ESC sequences could otherwise set the title, clear the screen or plant OSC 8 links in the
// doctor's own report. Control characters are shown escaped (`\x1b`), visibly, instead.
// Tab and newline stay: they move the cursor, they do not program the terminal, and every
// face already lays out (or folds) multi-line text its own way. JSON needs none of this (it
// escapes by itself) and stays lossless.

// C0 but tab and newline, DEL, C1 (a UTF-8 terminal may still act on U+009B as CSI), and the
// bidirectional overrides that make a line read other than it is.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The same value with every string in it escaped: what a face may print. */
export function displaySafe<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => displaySafe(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControls(k), displaySafe(v)])) as T;
  }
  return value;
}
