// A probe is named data: what to run and how to read it. Where its bytes come from is the
// transport's business (ssh, local, replay).

export interface ProbeCommand {
  /** Stable key: identical probes on one host run once per run (dedupe by host + key). */
  key: string;
  /** argv, never a shell string; every element validated by the probe's builder. */
  argv: string[];
  /** Parser id from src/parsers/index.ts. */
  parser: string;
  timeoutMs: number;
  needsRoot: boolean;
  /** Some probes legitimately exit non-zero (ping loss, ipvsadm "No such service"). */
  acceptNonZeroExit?: boolean;
  /** Needs a Linux host (iproute2, /proc, ipvsadm): skipped when `uname -s` says otherwise. */
  linuxOnly?: boolean;
  /** May share an ssh session with the host's other probes, run one after the other (not captures or connections). */
  quick?: boolean;
  /** Quick, but mostly waiting on the network: in a shared session it may run beside the others (RunOptions.besideOthers). */
  besideOthers?: boolean;
}
