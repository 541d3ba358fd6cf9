// A transport that answers from captured outputs by host and argv, and fails like ssh for
// hosts it is told refuse (TransportError), so discovery can be tested without a network.
import { readFileSync } from 'node:fs';
import { runEachAlone, TransportError, type RunOptions, type RunResult, type Transport } from '../../src/transport/transport.js';

export interface Answer {
  stdoutFile?: string;
  stderrFile?: string;
  exitCode?: number;
}

const dir = new URL('./captures/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');

export class CapturedTransport implements Transport {
  readonly calls: string[] = [];
  constructor(
    private readonly answers: Record<string, Answer>,
    private readonly refuse: (host: string) => string | null = () => null,
  ) {}

  async run(host: string, argv: readonly string[]): Promise<RunResult> {
    const key = `${host}: ${argv.join(' ')}`;
    this.calls.push(key);
    const refusal = this.refuse(host);
    if (refusal) throw new TransportError('unreachable', host, refusal);
    const answer = this.answers[key];
    if (!answer) throw new TransportError('replay-miss', host, `no capture for '${key}'`);
    return {
      stdout: new TextEncoder().encode(answer.stdoutFile ? read(answer.stdoutFile) : ''),
      stderr: answer.stderrFile ? read(answer.stderrFile) : '',
      exitCode: answer.exitCode ?? 0,
      durationMs: 1,
    };
  }

  runTogether(host: string, argvs: readonly (readonly string[])[], options: RunOptions): Promise<RunResult>[] {
    return runEachAlone(this, host, argvs, options);
  }

  async close(): Promise<void> {}
}
