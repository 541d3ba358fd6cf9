// Asking a running command for its counters through its stdin: a line there makes the remote
// watcher (STDIN_WATCH) signal it, as RunOptions.requestCountersAfter asks.
import type { Writable } from 'node:stream';
import type { RunOptions } from './transport.js';

/** `options.onStderrLine`, plus the one request for counters after the first line that calls for it. */
export function stderrWithCounterRequest(options: RunOptions, stdin: Writable | null | undefined): ((line: string) => void) | undefined {
  const after = options.requestCountersAfter;
  if (!after || !options.endsOnStdinClose || !stdin) return options.onStderrLine;
  let asked = false;
  return (line) => {
    if (!asked && after(line)) {
      asked = true;
      // A stop closes stdin: after that the command is ending, and nothing is asked of it.
      if (!stdin.writableEnded && !stdin.destroyed) stdin.write('\n');
    }
    options.onStderrLine?.(line);
  };
}

/** Hands `options.countersOnDemand` its asker: a line on the command's stdin while that is open. */
export function handCountersOnDemand(options: RunOptions, stdin: Writable | null | undefined): void {
  if (!options.countersOnDemand || !options.endsOnStdinClose || !stdin) return;
  options.countersOnDemand(() => {
    if (stdin.writableEnded || stdin.destroyed) return false;
    stdin.write('\n');
    return true;
  });
}
