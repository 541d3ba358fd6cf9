// Local command execution for the lab (root namespace tools: ip, nsenter, ssh-keygen).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LabError } from './plan.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  input?: string;
  timeoutMs?: number;
  /** Return a non-zero exit as data instead of throwing. */
  allowFailure?: boolean;
}

export function execCommand(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LabError(`cannot run ${argv[0]}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? (signal ? 128 : 1),
      };
      if (timedOut) result.stderr += `\n(killed after ${options.timeoutMs ?? 30_000} ms)`;
      if (result.exitCode !== 0 && !options.allowFailure) {
        const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ');
        reject(new LabError(`${argv.join(' ')} failed (exit ${result.exitCode}): ${detail}`));
        return;
      }
      resolve(result);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a shell script inside a network namespace (only lab-made namespaces are passed here). */
export function netnsShell(netns: string, script: string, options: ExecOptions = {}): Promise<ExecResult> {
  return execCommand(['ip', 'netns', 'exec', netns, 'sh', '-ec', script], options);
}

/** Runs tasks with at most `limit` in flight; rejects with the first error after all settle. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Single-quotes a word for sh. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A zombie (killed, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
