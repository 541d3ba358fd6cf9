// `--json-stream`: one RunEvent per line (NDJSON) as the run goes; the last line is the
// run-end event carrying the whole result document.
import type { RunEvent } from '../model/events.js';

export function jsonStreamLine(event: RunEvent): string {
  // JSON.stringify never emits a raw newline (they are escaped in strings), so one event is one line.
  return `${JSON.stringify(event)}\n`;
}
