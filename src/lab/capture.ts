// Watching the lab's wire: a tcpdump (text, -n) on one host interface around an action.
import { spawn } from 'node:child_process';
import { readState } from './state.js';
import { LabError } from './plan.js';
import { sleep } from './proc.js';

export interface CaptureSpec {
  host: string;
  iface: string;
  /** pcap filter, e.g. "tcp or icmp". */
  filter: string;
}

interface RunningCapture {
  lines: string[];
  stop(): Promise<string[]>;
}

async function startCapture(prefix: string, spec: CaptureSpec): Promise<RunningCapture> {
  const state = readState(prefix);
  const host = state?.info.hosts.find((h) => h.name === spec.host);
  if (!state || !host) throw new LabError(`no host '${spec.host}' in lab '${prefix}'`);
  const child = spawn('ip', ['netns', 'exec', host.netns, 'tcpdump', '-n', '-l', '-U', '--immediate-mode', '-i', spec.iface, spec.filter], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  child.stdout.on('data', (b: Buffer) => {
    buffer += b.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new LabError(`tcpdump on ${spec.host} ${spec.iface} did not start`)), 5000);
    child.stderr.on('data', (b: Buffer) => {
      if (b.toString('utf8').includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      reject(new LabError(`tcpdump on ${spec.host} ${spec.iface} exited`));
    });
  });
  return {
    lines,
    stop: async () => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await closed;
      if (buffer) lines.push(buffer);
      return lines;
    },
  };
}

/** Captures on every spec while `action` runs (plus `settleMs` after it), returns the text lines per spec. */
export async function captureDuring<T>(
  prefix: string,
  specs: CaptureSpec[],
  action: () => Promise<T>,
  settleMs = 200,
): Promise<{ result: T; lines: string[][] }> {
  const captures = await Promise.all(specs.map((s) => startCapture(prefix, s)));
  try {
    const result = await action();
    await sleep(settleMs);
    return { result, lines: await Promise.all(captures.map((c) => c.stop())) };
  } catch (error) {
    await Promise.all(captures.map((c) => c.stop()));
    throw error;
  }
}
