// argv -> mode. The only place that calls process.exit.
// Each command's module is imported when that command runs, not here: `--version`, `parse` and
// `replay` do not pay for the modules of a live run (execa, yaml, every parser), see BENCHMARKS.md.
import { FORMATS } from './commands/format-choice.js';
import { EX_SOFTWARE, EX_USAGE, EXIT_CODES_HELP } from './commands/help.js';
import { processIO, type CommandIO } from './commands/io.js';
import { monitored, monitoringFormatOf } from './commands/monitoring.js';
import { watchInterrupts } from './commands/interrupt.js';
import { escapeControls } from './report/untrusted-text.js';
import { TOOL_VERSION } from './version.js';

const HELP = `lvs-doctor ${TOOL_VERSION} — diagnose an LVS-NAT (IPVS masquerade) director, Julian's Q.1-Q.4 as a program

usage:
  lvs-doctor [diagnose] --inventory FILE      diagnose the service in an inventory (TUI on a terminal
                                              unless CI is set; text otherwise)
  lvs-doctor [diagnose] --director HOST [--vip VIP:PORT] [--client HOST]
                                              discover the rest from the director, then diagnose
  lvs-doctor replay DIR                       re-run the diagnosis offline from a recorded bundle
  lvs-doctor demo                             replay the sample bundle shipped with the package
  lvs-doctor discover --director HOST [--config FILE]
                                              print the inventory found, as YAML
  lvs-doctor parse FORMAT [FILE|-]            parse one command's output to JSON (parse --list, --auto)
  lvs-doctor explain FILE... | -              diagnose from pasted outputs (a ticket, a mailing-list post)
  lvs-doctor --inventory FILE --fix ID [--dry-run | --yes]
                                              apply a diagnosis's fix with consent, verify it,
                                              roll it back by itself if the fault stays
  lvs-doctor rollback                         undo the last applied fix from its saved state
  lvs-doctor lab up|down|status|faults|fault|exec|diagnose ...
                                              the network-namespace lab (root)
  lvs-doctor COMMAND --help                   a command's options, with an example

output:   --json | --json-stream | --format ${FORMATS.join('|')}   --no-color
record:   --record DIR [--redact]
kernel:   --trace-drops   read the kernel's drop reasons during the test connection (WRITES a
                          private tracefs instance on the hosts, removed afterwards; root/--sudo)
baseline: --baseline BUNDLE   what changed since a healthy recording (default: the site's last ok
                              run, kept when --record or --keep-connections is used; --no-baseline)
access:   --off-limits rs1,rs2  --ssh PATH  --ssh-config FILE  --user U  --port P  --identity FILE
          --jump HOST  --sudo  --accept-new-host-keys  --connect-timeout SEC (default 5)
          --keep-connections SEC   leave the ssh connections open SEC idle seconds for the next
                                   run (monitoring every minute skips the handshakes)
          with --inventory, the access flags override the file for every host reached by ssh
${EXIT_CODES_HELP}

examples:
  lvs-doctor demo                             see a diagnosis without any host (the README's walkthrough)
  lvs-doctor discover --director lvs1 > lvs-doctor.yaml && lvs-doctor
  lvs-doctor --inventory lvs.yaml --format nagios
`;

type Handler = (args: string[], io: CommandIO) => Promise<number>;

// Literal import() calls, not one helper taking a path: the bundler (scripts/bundle.mjs) follows
// only those, and makes each command's code a chunk loaded when that command runs.
const commands: Record<string, () => Promise<Handler>> = {
  parse: async () => (await import('./commands/parse.js')).parseCommand,
  diagnose: async () => (await import('./commands/diagnose.js')).diagnoseCommand,
  replay: async () => (await import('./commands/diagnose.js')).replayCommand,
  demo: async () => (await import('./commands/diagnose.js')).demoCommand,
  discover: async () => (await import('./commands/discover.js')).discoverCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
  rollback: async () => (await import('./commands/fix.js')).rollbackCommand,
  lab: async () => (await import('./lab/cli.js')).runLabCli as unknown as Handler,
};

async function main(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(HELP);
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out(`${TOOL_VERSION}\n`);
    return 0;
  }
  if (first !== undefined && commands[first]) {
    const handler = await commands[first]();
    return first === 'lab' ? (handler as unknown as (a: string[]) => Promise<number>)(rest) : handler(rest, io);
  }
  if (first === undefined || first.startsWith('-')) {
    return (await commands.diagnose())(argv, io);
  }
  io.err(`lvs-doctor: unknown command '${first}'\nusage: lvs-doctor [diagnose|replay|demo|discover|explain|parse|rollback|lab] [options]   (lvs-doctor --help)\n`);
  return EX_USAGE;
}

// `lvs-doctor parse ... | head`: a closed pipe is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Once nothing is left to run (every child reaped, every write done: the moment node would exit
// by itself), exit without tearing V8's heap down page by page: ~300 munmap calls, 10-50 ms of
// CPU at the end of a run (BENCHMARKS.md, "The doctor's own CPU"). 'exit' handlers still run.
process.once('beforeExit', () => process.exit());

const argv = process.argv.slice(2);
// The lab's own commands print for people; a report command's failures print in its format.
const reportCommand = !(argv[0] === 'lab' || argv[0] === 'parse' || argv[0] === 'discover');
const guard = monitored(reportCommand ? monitoringFormatOf(argv) : undefined, processIO());
let finished = false;
const finish = (code: number): void => {
  if (finished) return;
  finished = true;
  process.exitCode = guard.finish(code);
};
// Ctrl-C / SIGTERM: the run stops and reports what it has (interrupt.ts); should that take
// longer than its bound, or a second signal come, the process ends here with the signal's code.
const interrupts = reportCommand
  ? watchInterrupts((code, why) => {
      // Said on stderr: what was not cleaned up yet does not stay for long.
      guard.io.err(`lvs-doctor: ${why === 'bound' ? 'cleanup took longer than its bound' : 'second signal'}: exiting now; ssh connections left end by themselves within 10 s\n`);
      finish(code);
      process.exit();
    })
  : undefined;
main(argv, interrupts ? { ...guard.io, interrupt: interrupts.signal } : guard.io).then(
  (code) => {
    finish(code);
    // Interrupted: what was cleaned up is done, what was not would only delay the exit.
    if (interrupts?.received()) process.exit();
    interrupts?.dispose();
  },
  (err: unknown) => {
    // A bug, not bad input: say so in one line and keep the stack for whoever reports it.
    guard.io.err(`lvs-doctor: internal error: ${escapeControls(err instanceof Error ? err.message : String(err))}\n`);
    if (process.env.LVS_DOCTOR_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    finish(EX_SOFTWARE);
    interrupts?.dispose();
  },
);
