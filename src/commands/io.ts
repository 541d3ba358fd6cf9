// Commands write through this, so tests can run them without a terminal.
import { escapeControls } from '../report/untrusted-text.js';
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Aborted when the user interrupts (Ctrl-C, SIGTERM): a run stops and reports what it has. */
  interrupt?: AbortSignal;
}

export function processIO(): CommandIO {
  return {
    out: (text) => void process.stdout.write(text),
    // Error messages carry hosts' and bundles' text: escaped like every face (untrusted-text.ts).
    err: (text) => void process.stderr.write(escapeControls(text)),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  };
}
