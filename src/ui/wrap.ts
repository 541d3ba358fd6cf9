// Word wrap for the TUI's scrolling part, done here rather than by Ink so that every screen
// row is known before drawing (the screen must fit the terminal, and scrolling counts rows).
// Continuation rows carry a hanging indent: a wrapped command never restarts at column 0.

/** Terminal columns of a string, one per code point (the faces escape control characters first). */
export function columns(text: string): number {
  return [...text].length;
}

/**
 * `text` (one logical line) cut into rows of at most `width` columns: at spaces where it can,
 * inside a word when a word is longer than a row. Rows after the first start with `hang`.
 */
export function wrapRows(text: string, width: number, hang = ''): string[] {
  const rows: string[] = [];
  let rest = [...text];
  let prefix: string[] = [];
  const hangChars = [...hang];
  while (true) {
    const room = Math.max(1, width - prefix.length);
    if (rest.length <= room) {
      rows.push([...prefix, ...rest].join(''));
      return rows;
    }
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= 0) cut = room;
    rows.push([...prefix, ...rest.slice(0, cut)].join('').trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest = rest.slice(1);
    prefix = hangChars.length < width - 8 ? hangChars : [];
  }
}
