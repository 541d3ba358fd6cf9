// The test connection's probe: one connection from the client to VIP:VPORT (the engine,
// src/engine/test-connection.ts, makes it while every hop captures). Tool fallback order on
// the client (first one present wins): curl (also reports the HTTP status), bash's /dev/tcp,
// socat, nc -z. All are bounded by the transport's remote `timeout`.
import type { RunResult, Transport } from '../transport/transport.js';
import { defineProbe } from './define.js';
import { toolsParser } from './own-parsers.js';
import type { ProbeCommand } from './probe.js';
import { toolCheck } from './tools.js';
import { ipAddress, port as validPort, positiveInt } from './validate.js';
import { isIPv6 } from '../util/ip.js';

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
