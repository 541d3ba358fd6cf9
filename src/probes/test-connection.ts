// One connection from the client to VIP:VPORT while every hop captures. Tool fallback
// order on the client (first one present wins): curl (also reports the HTTP status),
// bash's /dev/tcp, socat, nc -z. All are bounded by the transport's remote `timeout`.
import { TransportError, type RunResult, type Transport } from '../transport/transport.js';
import { startCapture, type CaptureSpec, type RunningCapture } from './capture.js';
import { defineProbe } from './define.js';
import { toolsParser } from './own-parsers.js';
import type { ProbeCommand } from './probe.js';
import { toolCheck } from './tools.js';
import { ipAddress, port as validPort, positiveInt } from './validate.js';
import { isIPv6 } from 'node:net';

export const CONNECT_TOOLS = ['curl', 'bash', 'socat', 'nc'] as const;
export type ConnectTool = (typeof CONNECT_TOOLS)[number];

export function connectionProbe(tool: ConnectTool, vip: string, vport: number, timeoutSec: number): ProbeCommand {
  const ip = ipAddress(vip);
  const p = String(validPort(vport));
  const s = String(positiveInt('connect timeout', timeoutSec, 60));
  const host = isIPv6(ip) ? `[${ip}]` : ip;
  const argv: Record<ConnectTool, string[]> = {
    curl: ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code} %{remote_ip}', '--connect-timeout', s, '--max-time', s, `http://${host}:${p}/`],
    // Address and port are positional parameters, never part of the script text.
    bash: ['bash', '-c', 'exec 3<>"/dev/tcp/$1/$2"', 'bash', ip, p],
    socat: ['socat', '-u', '/dev/null', `TCP:${host}:${p},connect-timeout=${s}`],
    nc: ['nc', '-z', '-w', s, ip, p],
  };
  return defineProbe({ argv: argv[tool], parser: 'test-connection', timeoutMs: (Number(s) + 2) * 1000, needsRoot: false, acceptNonZeroExit: true });
}

export interface ConnectionOutcome {
  tool: ConnectTool | null;
  /** True: the TCP handshake completed; false: refused, reset or timed out; null: not tried. */
  connected: boolean | null;
  exitCode?: number;
  httpCode?: number;
  stderr?: string;
  durationMs?: number;
  error?: string;
}

/** Reads a tool's exit the same way for all: curl 7 = refused/unreachable, 28 = timeout. */
export function judgeConnection(tool: ConnectTool, r: RunResult): ConnectionOutcome {
  const base = { tool, exitCode: r.exitCode, stderr: r.stderr, durationMs: r.durationMs };
  if (tool === 'curl') {
    const m = /^(\d{3}) /.exec(Buffer.from(r.stdout).toString('utf8'));
    const httpCode = m ? Number(m[1]) : 0;
    // Any exit other than "could not connect" (7) and "timeout" (28) came after a handshake,
    // except 28 with an HTTP code already (the server answered slowly).
    const connected = httpCode > 0 || (r.exitCode !== 7 && r.exitCode !== 28 && r.exitCode !== 124);
    return { ...base, connected, ...(httpCode > 0 ? { httpCode } : {}) };
  }
  return { ...base, connected: r.exitCode === 0 };
}

export interface TestConnectionPlan {
  /** Host name of the client in the topology. */
  client: string;
  vip: string;
  vport: number;
  captures: CaptureSpec[];
  /** Skip detection and use this tool. */
  tool?: ConnectTool;
  connectTimeoutSec?: number;
  /** How long to wait for every capture to say "listening on". */
  armTimeoutMs?: number;
  /** Time after the connection for late packets (retransmits, RSTs) before stopping. */
  settleMs?: number;
  signal?: AbortSignal;
}

export interface CaptureOutcome {
  host: string;
  iface: string;
  pcap: Uint8Array | null;
  error?: string;
}

export interface TestConnectionResult {
  captures: CaptureOutcome[];
  connection: ConnectionOutcome;
}

/** The probe that finds the client's connect tools (the engine runs it with its first probes). */
export function connectToolsProbe(): ProbeCommand {
  return toolCheck([...CONNECT_TOOLS]);
}

/** The first tool of the fallback order that the host has. */
export function preferredConnectTool(available: readonly string[]): ConnectTool | null {
  return CONNECT_TOOLS.find((t) => available.includes(t)) ?? null;
}

export async function detectConnectTool(transport: Transport, client: string, signal?: AbortSignal): Promise<ConnectTool | null> {
  const probe = connectToolsProbe();
  const r = await transport.run(client, probe.argv, { timeoutMs: probe.timeoutMs, needsRoot: false, signal });
  return preferredConnectTool(toolsParser.parse(Buffer.from(r.stdout).toString('utf8')).available);
}

export async function runTestConnection(transport: Transport, plan: TestConnectionPlan): Promise<TestConnectionResult> {
  const running: RunningCapture[] = plan.captures.map((spec) => {
    try {
      return startCapture(transport, spec, plan.signal);
    } catch (error) {
      // A validation failure stops this capture only.
      const failed = Promise.reject(error as Error);
      failed.catch(() => undefined);
      return { spec, armed: failed.then(() => undefined), done: failed, stop: () => undefined };
    }
  });
  try {
    const armTimeout = plan.armTimeoutMs ?? 5_000;
    const armErrors = await Promise.all(running.map((c) => withTimeout(c.armed, armTimeout).then(() => null, (e: Error) => e.message)));
    const connection = await connect(transport, plan);
    if (!plan.signal?.aborted) await delay(plan.settleMs ?? 300);
    running.forEach((c) => c.stop());
    const captures = await Promise.all(
      running.map(async (c, i): Promise<CaptureOutcome> => {
        const base = { host: c.spec.host, iface: c.spec.iface };
        try {
          const r = await c.done;
          const ok = r.stdout.length >= 24;
          return { ...base, pcap: ok ? r.stdout : null, ...(ok ? {} : { error: armErrors[i] ?? `no pcap data: ${r.stderr.trim()}` }) };
        } catch (error) {
          return { ...base, pcap: null, error: (error as Error).message };
        }
      }),
    );
    return { captures, connection };
  } finally {
    running.forEach((c) => c.stop());
  }
}

async function connect(transport: Transport, plan: TestConnectionPlan): Promise<ConnectionOutcome> {
  try {
    const tool = plan.tool ?? (await detectConnectTool(transport, plan.client, plan.signal));
    if (!tool) return { tool: null, connected: null, error: `none of ${CONNECT_TOOLS.join(', ')} on ${plan.client}` };
    const probe = connectionProbe(tool, plan.vip, plan.vport, plan.connectTimeoutSec ?? 3);
    const r = await transport.run(plan.client, probe.argv, { timeoutMs: probe.timeoutMs, needsRoot: false, signal: plan.signal });
    return judgeConnection(tool, r);
  } catch (error) {
    const message = error instanceof TransportError ? `${error.kind}: ${error.message}` : (error as Error).message;
    return { tool: plan.tool ?? null, connected: null, error: message };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not listening after ${ms} ms`)), ms).unref())]);
}
