// Commands write through this, so tests can run them without a terminal.
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Uint8Array>;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export function processIO(): CommandIO {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  };
}
