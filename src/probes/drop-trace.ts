// --trace-drops: the kernel's own word on a dropped packet. During the test connection a host
// reads the skb:kfree_skb tracepoint (its `reason` since 5.17) through a PRIVATE tracefs
// instance, so the host's own tracing is untouched. This is the doctor's one write to a host
// outside --fix, and it only happens with --trace-drops.
//
// The tracepoint carries no addresses (its format: skbaddr, location, rx_sk, protocol, reason),
// so three more events go into the same instance: net:netif_receive_skb and net:net_dev_xmit
// (the device an skb came in on, on any device of the kernel, and whether it left again on the
// path's, by skbaddr) and fib:fib_table_lookup
// (the addresses and input ifindex the kernel routed it by). src/facts/drop-match.ts ties a drop to the test connection with them.
//
// Cleanup: the instance is removed on every way out. The script traps TERM (the doctor's stop,
// the host-side `timeout`), INT, HUP and PIPE, and ignores them once cleaning up (`timeout`
// sends TERM twice, to its child and to its group: a second trap run would exit mid-cleanup);
// it writes a heartbeat line to stdout each second (a `#` line the parser skips), so a vanished
// reader ends it at the next beat with SIGPIPE: over a ControlMaster the master writes to the
// dead doctor's pipe, fails, and tells sshd to close the session's stdout (stderr would not do:
// a failed stderr write is dropped silently); and the `timeout` the transport wraps every command in bounds it; should that bound's KILL
// come before the cleanup is done (seen on a slow TCG guest: instances were left), a guard in
// its own session removes the instance once the script is gone. It runs
// under `unshare -m` so that mounting tracefs, where it is not mounted, stays private to it.
import { TEXT_OUTPUT_CAP } from '../transport/output-cap.js';
import type { RunResult, Transport } from '../transport/transport.js';
import { startArmedRun } from './armed-run.js';
import { defineProbe } from './define.js';
import type { ProbeCommand } from './probe.js';
import { interfaceName, positiveInt } from './validate.js';

export interface DropTraceSpec {
  host: string;
  /** The host's interfaces on the path: a drop counts when its packet came in on one of these (empty: any of the host's); transmits are traced on these only. */
  ifaces: string[];
  /** The remote bound: the trace ends (and its instance goes) by itself after this. */
  boundMs: number;
  /** Per-CPU ring size of the instance. */
  bufferKb?: number;
}

/** What the script prints on stderr once the instance records (the capture's "listening on"). */
export const TRACE_ARMED = 'lvsd-trace: armed';
/** The heartbeat line on stdout. */
export const TRACE_BEAT = '# lvsd-beat';
/** Every message of the script starts so; the rest of the line says why it could not trace. */
export const TRACE_MESSAGE_PREFIX = 'lvsd-trace: ';
/** The most of the trace buffer the script prints (the ring is smaller; this is a ceiling). */
export const TRACE_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Exit codes of the script when it cannot trace (its stderr line says why). */
export const TRACE_EXIT = { noTracefs: 3, noTracepoint: 4, noReason: 5, noInstance: 6 } as const;

const EVENTS = ['skb/kfree_skb', 'net/netif_receive_skb', 'net/net_dev_xmit', 'fib/fib_table_lookup'] as const;

// POSIX sh (dash, bash, busybox). $1 bound is not needed inside: the transport's `timeout`
// sends TERM, which is the normal end. Arguments: buffer size in KiB, output cap, interfaces.
const SCRIPT = `set -u
kb=$1; cap=$2; shift 2
fail() { echo "${TRACE_MESSAGE_PREFIX}$1" >&2; exit $2; }
T=/sys/kernel/tracing
if [ ! -d $T/instances ]; then
  if [ -d /sys/kernel/debug/tracing/instances ]; then T=/sys/kernel/debug/tracing
  else mount -t tracefs nodev $T 2>/dev/null || fail "cannot mount tracefs on $T (not root, or no tracefs in this kernel)" ${TRACE_EXIT.noTracefs}
  fi
fi
[ -d $T/instances ] || fail "no tracefs instances under $T" ${TRACE_EXIT.noTracefs}
F=$T/events/skb/kfree_skb/format
[ -r $F ] || fail "this kernel has no skb:kfree_skb tracepoint" ${TRACE_EXIT.noTracepoint}
grep -q 'skb_drop_reason reason;' $F || fail "skb:kfree_skb has no drop reason field on this kernel (added in 5.17)" ${TRACE_EXIT.noReason}
for e in ${EVENTS.slice(1).join(' ')}; do [ -r $T/events/$e/format ] || fail "this kernel has no $e tracepoint" ${TRACE_EXIT.noTracepoint}; done
# The traps come before the instance: a stop while it is being made (the doctor stopped at
# once, timeout signalling the whole group) removes it, as a stop later does.
I=
sl=
fin=0
finish() {
  [ $fin = 1 ] && return; fin=1
  [ -n "$I" ] && [ -d "$I" ] || return 0
  echo 0 > $I/tracing_on
  [ -n "$sl" ] && kill $sl 2>/dev/null
  head -c $cap $I/trace
  for e in ${EVENTS.join(' ')}; do echo 0 > $I/events/$e/enable; done 2>/dev/null
  rmdir $I || echo "${TRACE_MESSAGE_PREFIX}could not remove $I" >&2
}
trap finish EXIT
trap "trap '' TERM INT HUP PIPE; finish; exit 0" TERM INT HUP PIPE
J=$T/instances/lvsd-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
I=$J
mkdir $I 2>/dev/null || { I=; fail "cannot create the tracefs instance $J" ${TRACE_EXIT.noInstance}; }
# A guard in its own session (so a KILL of this script's group spares it): once this shell is
# gone without removing the instance (SIGKILL, the bound's kill after its grace on a slow host),
# it removes it.
setsid sh -c 'trap "" TERM INT HUP; while kill -0 $1 2>/dev/null; do sleep 1; done; [ -d $2 ] || exit 0; echo 0 > $2/tracing_on; for e in ${EVENTS.join(' ')}; do echo 0 > $2/events/$e/enable; done 2>/dev/null; rmdir $2' lvsd-guard $$ $I </dev/null >/dev/null 2>&1 &
echo "# lvsd-instance \${I##*/}"
for d in /sys/class/net/*; do echo "# lvsd-if \${d##*/} $(cat $d/ifindex)"; done
echo "# lvsd-path $*"
echo $kb > $I/buffer_size_kb
echo 'protocol == 2048' > $I/events/skb/kfree_skb/filter
echo 'iif > 1' > $I/events/fib/fib_table_lookup/filter
# Receives are traced on every device, not only the path's: a receive elsewhere (another
# namespace's, even one with the same name) of an skb this host took in and freed quietly is
# what tells the matcher that skb is another packet now.
if [ $# -gt 0 ]; then
  f=; for n in "$@"; do f="\${f:+$f || }name == \\"$n\\""; done
  echo "$f" > $I/events/net/net_dev_xmit/filter
fi
for e in ${EVENTS.join(' ')}; do echo 1 > $I/events/$e/enable; done
echo "${TRACE_ARMED}" >&2
while :; do sleep 1 & sl=$!; wait $sl; sl=; echo '${TRACE_BEAT}'; done
`;

/** The script's $0: how a bundle shows it was recorded with --trace-drops. */
export const DROP_TRACE_ARGV0 = 'lvsd-trace';

export function dropTraceProbe(spec: DropTraceSpec): ProbeCommand {
  const kb = positiveInt('trace buffer KiB', spec.bufferKb ?? 1024, 65_536);
  return defineProbe({
    argv: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', SCRIPT, DROP_TRACE_ARGV0, String(kb), String(TRACE_OUTPUT_BYTES), ...spec.ifaces.map(interfaceName)],
    parser: 'kfree-skb-trace',
    timeoutMs: spec.boundMs,
    needsRoot: true,
    // Stopped by TERM (the normal end): the trap prints the trace and exits 0; 124 is the bound.
    acceptNonZeroExit: true,
    linuxOnly: true,
  });
}

/** The command as a person would read it in evidence (the script itself is in the bundle). */
export function dropTraceCommand(spec: DropTraceSpec): string {
  return `tracefs instance lvsd-* on ${spec.host}: skb:kfree_skb (protocol == 2048), net:netif_receive_skb, net:net_dev_xmit${spec.ifaces.length ? ` (${spec.ifaces.join(', ')})` : ''}, fib:fib_table_lookup`;
}

export interface RunningDropTrace {
  spec: DropTraceSpec;
  /** Resolves when the instance records; rejects if the script ends or fails first. */
  armed: Promise<void>;
  done: Promise<RunResult>;
  stop(): void;
}

export function startDropTrace(transport: Transport, spec: DropTraceSpec, parent?: AbortSignal): RunningDropTrace {
  const probe = dropTraceProbe(spec);
  const run = startArmedRun(
    transport,
    spec.host,
    probe.argv,
    { timeoutMs: probe.timeoutMs, needsRoot: probe.needsRoot, outputCap: TEXT_OUTPUT_CAP, isArmed: (line) => line === TRACE_ARMED, endedUnarmed: traceFailure },
    parent,
  );
  return { spec, ...run };
}

/** Why a trace run did not trace: the script's own message, or the exit. */
export function traceFailure(r: Pick<RunResult, 'stderr' | 'exitCode'>): string {
  const said = r.stderr
    .split('\n')
    .filter((l) => l.startsWith(TRACE_MESSAGE_PREFIX) && l !== TRACE_ARMED)
    .pop();
  if (said) return said.slice(TRACE_MESSAGE_PREFIX.length);
  const last = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('lvs-doctor-pid'))
    .pop();
  return `the drop trace ended before recording (exit ${r.exitCode})${last ? `: ${last.trim()}` : ''}`;
}
