// `--help` for every command and lab subcommand: what it does, its options, one example. Help
// goes to stdout and exits 0; a usage error prints the command's usage line to stderr, exit 64.
import { FORMATS } from './format-choice.js';

export const EX_OK = 0;
export const EX_USAGE = 64;
export const EX_DATAERR = 65;
export const EX_NOINPUT = 66;
export const EX_SOFTWARE = 70;

export const EXIT_CODES_HELP = `exit codes: 0 ok, 1 warn, 2 fail, 3 unknown (as Nagios reads them; with --format nagios
            every error is a 3 with one UNKNOWN line); 64 usage (a flag or an argument);
            65 bad input (an inventory, a bundle, a command's output); 66 an input that cannot
            be read (no such inventory, bundle or file); 70 internal error (a bug: please report it);
            130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM (what was seen so far is reported,
            verdict unknown; with --format nagios: 3)`;

const OUTPUT = `output:
  --json                 the result document (schema/result.v1.json)
  --json-stream          one JSON event per line while the run goes
  --format F             ${FORMATS.join(' | ')} (default: tui on a terminal, text otherwise)
  --no-color             no colours in the TUI (NO_COLOR is honoured too)`;

const ACCESS = `access (with --inventory these override the file for every host reached by ssh: the
command line wins over the inventory, which wins over your ssh config):
  --user U               ssh login user
  --port P               ssh port
  --identity FILE        ssh key (-i)
  --jump HOST            reach hosts through HOST first (ProxyJump; put in front of a host's own jump)
  --sudo                 run privileged probes through sudo -n
  --ssh-config FILE      ssh config file (-F)
  --ssh PATH             the ssh program (default: ssh on PATH)
  --accept-new-host-keys StrictHostKeyChecking=accept-new (first contact with a host)
  --connect-timeout SEC  bound on each ssh handshake (default 5)
  --keep-connections SEC leave the ssh connections open SEC idle seconds for the next run;
                         sockets in $XDG_RUNTIME_DIR/lvs-doctor, /tmp/lvs-doctor-UID or
                         $LVS_DOCTOR_SOCKET_DIR (a directory only you can open)`;

const BASELINE = `baseline (what changed since a healthy run):
  --baseline BUNDLE      compare with BUNDLE (recorded with --record on this site): routes, rules,
                         addresses, listeners, sysctls, the IPVS table and firewall rules that differ,
                         each with the diagnosis it explains; another site's bundle is refused (65)
  --no-baseline          do not compare with the site's last ok run
                         An ok run with --record or --keep-connections (not --redact) is kept as
                         the site's last ok run in $LVS_DOCTOR_STATE_DIR, else
                         $XDG_STATE_HOME/lvs-doctor, else ~/.local/state/lvs-doctor (last-ok/,
                         one per site, at most 32 sites); later runs compare with it by themselves`;

export const HELP: Record<string, string> = {
  diagnose: `usage: lvs-doctor [diagnose] --inventory FILE [options]
       lvs-doctor [diagnose] --director HOST [--vip VIP[:PORT]] [--client HOST] [options]
       lvs-doctor [diagnose] [options]      (./lvs-doctor.yaml or ~/.config/lvs-doctor/inventory.yaml)

Runs Julian's Q.1-Q.4 on the service: probes every host, makes one test connection while
capturing on the director and the realservers, and names the fault with its evidence and fix.

topology:
  -i, --inventory FILE   the inventory (see README: The inventory)
  --director HOST        no inventory: discover the service and the realservers from HOST
  --vip VIP[:PORT]       with --director: which virtual service, when it has several
  --client HOST          with --director: the client to test from (default: this machine)
  --off-limits rs1,rs2   do not log in to these realservers: director-only checks
  --deadline SEC         stop after SEC seconds (default 50) and report what was found: what
                         was not decided is unknown (1 to 3600)
  --trace-drops          during the test connection, read the kernel's drop reason for its
                         packets (skb:kfree_skb, kernel 5.17+) on the director, the realservers
                         and the client: WRITES to tracefs on those hosts (a private instance
                         /sys/kernel/tracing/instances/lvsd-*, mounting tracefs in a private
                         mount namespace if needed; needs root or --sudo), removed afterwards
                         on every exit; a reason such as IP_RPFILTER becomes evidence
                         (with --fix: of the run that plans the fix, kept in its audit bundle)
fix (the only options that change a host; read-only without them):
  --fix ID               plan the fix of diagnosis ID (e.g. realserver.reply-route): the exact
                         commands per host and what is read and saved for their rollback;
                         a fix that cannot be undone safely is refused, with the reason
  --dry-run              with --fix: print the plan, run nothing
  -y, --yes              with --fix: apply without asking (on a terminal it asks for y), re-run
                         the diagnosis and keep the fix only if the fault is gone and no new
                         one appeared, else roll it back by itself; exit 0 verified, 1 rolled
                         back, 4 not applied (refused or no consent), 5 ID not diagnosed now,
                         6 a command failed (rolled back), 7 a rollback command failed
                         state and audit bundles: $LVS_DOCTOR_STATE_DIR, else
                         $XDG_STATE_HOME/lvs-doctor, else ~/.local/state/lvs-doctor (fixes/)
record:
  --record DIR           save every probe's raw output to DIR (a new or empty directory)
  --redact               with --record: rewrite the addresses consistently, so the bundle can be shared
${BASELINE}
${OUTPUT}
${ACCESS}

examples:
  lvs-doctor --inventory lvs.yaml
  lvs-doctor --inventory lvs.yaml --baseline /var/tmp/lvs-healthy
  lvs-doctor --inventory lvs.yaml --jump bastion --user admin --sudo --format nagios
  lvs-doctor --director lvs1 --vip 10.0.0.10:80 --record /tmp/outage --redact
  lvs-doctor --inventory lvs.yaml --fix realserver.reply-route --dry-run`,

  rollback: `usage: lvs-doctor rollback

Undoes the last fix applied with --fix (the newest in the state directory): runs the rollback
commands built from the state read before the fix (the old route, sysctl value, rule and its
position, address, IPVS weight and forwarding method), last step first, over the hosts' access
saved with it. Each command and its output go to an audit bundle next to the fix's state.
State directory: $LVS_DOCTOR_STATE_DIR, else $XDG_STATE_HOME/lvs-doctor, else
~/.local/state/lvs-doctor; fixes/last names the last fix.

exit codes: 0 rolled back (or nothing to roll back), 7 a rollback command failed, 65 the saved
state is not an lvs-doctor fix record

example:
  lvs-doctor rollback`,

  replay: `usage: lvs-doctor replay DIR [--baseline BUNDLE] [--json | --json-stream | --format F] [--no-color]

Re-runs the diagnosis offline from a bundle recorded with --record DIR: the same probes'
outputs, the same check graph, no host touched.

  --baseline BUNDLE      also say what differs from BUNDLE, a healthy recording of the same site
${OUTPUT}

examples:
  lvs-doctor replay /tmp/outage --format text
  lvs-doctor replay /tmp/outage --baseline /var/tmp/lvs-healthy`,

  demo: `usage: lvs-doctor demo [--json | --json-stream | --format F] [--no-color]

Replays the sample bundle shipped with the package: a run recorded on the lab with rs1's
default route pointing around the director (realserver.reply-route, the README's walkthrough).

${OUTPUT}

example:
  lvs-doctor demo --format text`,

  discover: `usage: lvs-doctor discover --director HOST [--vip VIP[:PORT]] [--client HOST] [options]
       lvs-doctor discover --config FILE [--director HOST] [--vip VIP[:PORT]]

Prints the inventory found (YAML, to save and edit): the service from the director's IPVS table
or NAT rules, its interfaces and DIP, the realservers and how each is reached; or from a
keepalived.conf, ldirectord.cf or lvs.conf.

options:
  --director HOST        the director as ssh knows it
  --vip VIP[:PORT]       which virtual service, when the director has several
  --client HOST          the client to test from (default: this machine)
  --config FILE          keepalived*.conf, ldirectord*.cf or lvs*.conf
${ACCESS}

example:
  lvs-doctor discover --director lvs1 --vip 10.0.0.10:80 > lvs-doctor.yaml`,

  parse: `usage: lvs-doctor parse FORMAT [FILE|-]
       lvs-doctor parse --auto [FILE|-]
       lvs-doctor parse --list

Parses one command's output (ipvsadm -Ln, ip route get, tcpdump -n, ...) to JSON, the typed
result the checks read. Malformed input exits 65 with FILE:LINE and what was expected.

options:
  --list                 the formats, one per line
  --auto                 tell the format from the text itself (the detector of \`explain\`):
                         prints {"format": ID, "result": ...}; exits 65 naming why each parser refused

examples:
  lvs-doctor parse ipvsadm ipvsadm-Ln.txt
  ipvsadm -Ln | lvs-doctor parse ipvsadm -
  lvs-doctor parse --auto pasted-output.txt`,

  explain: `usage: lvs-doctor explain [options] FILE... | -

Reads a pasted transcript (a ticket, a mailing-list post): several command outputs with their
shell prompts, \`watch\` headers, "> " quote prefixes, indentation, blank lines between lines.
Splits it into outputs, tells each one's format and host (from the prompt), says which parts
it could not read and why, and runs every check the evidence allows, offline. A paste is one
moment with no test connection: what it proves carries lower certainty than a live run.
The paste is capped at 4 MiB.

${OUTPUT}

examples:
  lvs-doctor explain ticket-1234.txt
  xclip -o | lvs-doctor explain --json -`,

  lab: `usage: lvs-doctor lab <command> [--prefix P] [options]

The network-namespace lab (root): a client, a director doing LVS-NAT, realservers with real
sshd, and faults to inject. Every command takes --prefix P (default lvs) to run several labs.

commands:
  up        build a lab                       down     tear it down, check nothing is left
  status    is it up and healthy              faults   the faults it can inject
  fault     inject or revert a fault          exec     run a command on a lab host
  diagnose  run lvs-doctor on the lab (from its ops namespace)

Run lvs-doctor lab COMMAND --help for its options.

example:
  lvs-doctor lab up --prefix t1 --fault realserver.reply-route && lvs-doctor lab diagnose --prefix t1`,

  'lab up': `usage: lvs-doctor lab up [--prefix P] [--realservers N] [--nat iptables|nft | --ipvs] [--fault ID [--target RS] [--variant V]]

Builds the lab: namespaces, veths, the director's NAT, a real sshd and a listener per host.
With --ipvs the same site runs inside a qemu guest (TCG) whose director is kernel IPVS; the guest
image is built from Debian packages on first use and cached in /var/cache/lvs-doctor/ipvs-vm
(or $LVS_DOCTOR_IPVS_CACHE). The doctor reaches it only through qemu's forwards on 127.0.0.1.

options:
  --prefix P             lab name: lowercase letters and digits (default lvs)
  --realservers N        how many realservers, 1-200 (default 3; at most 10 with --ipvs)
  --nat iptables|nft     how the director does the NAT (default iptables)
  --ipvs                 real kernel IPVS in a qemu guest (needs qemu-system-x86 debootstrap cpio)
  --fault ID             inject a fault once up (lvs-doctor lab faults lists them)
  --target RS            with --fault: the realserver it applies to
  --variant V            with --fault: the fault's variant

example:
  lvs-doctor lab up --prefix t1 --realservers 2 --fault realserver.reply-route --target rs1`,

  'lab down': `usage: lvs-doctor lab down [--prefix P]

Tears the lab down and checks that no namespace, interface, process or file is left (exit 1 if one is).

options:
  --prefix P             lab name (default lvs)

example:
  lvs-doctor lab down --prefix t1`,

  'lab status': `usage: lvs-doctor lab status [--prefix P] [--json]

Is the lab up, which faults are in, and does the VIP answer (exit 0 up and healthy, 1 otherwise).

options:
  --prefix P             lab name (default lvs)
  --json                 the status as JSON

example:
  lvs-doctor lab status --prefix t1 --json`,

  'lab faults': `usage: lvs-doctor lab faults [--ipvs | --netns] [--json]

Lists the faults the lab can inject, their targets and variants, and how each differs from real IPVS.

options:
  --ipvs                 only those the real-IPVS lab (lab up --ipvs) can show
  --netns                only those the netns lab can show
  --json                 the list as JSON

example:
  lvs-doctor lab faults`,

  'lab fault': `usage: lvs-doctor lab fault ID [--prefix P] [--target RS] [--variant V]
       lvs-doctor lab fault --revert ID [--prefix P]

Injects one fault into a running lab, or reverts it.

options:
  --prefix P             lab name (default lvs)
  --target RS            the realserver the fault applies to
  --variant V            the fault's variant (lvs-doctor lab faults)
  --revert ID            revert the fault instead

example:
  lvs-doctor lab fault realserver.silent-drop --prefix t1 --target rs2`,

  'lab exec': `usage: lvs-doctor lab exec HOST [--prefix P] -- CMD [ARG...]

Runs CMD in a lab host's namespace (client, director, rs1, ...) and exits with its exit code.

options:
  --prefix P             lab name (default lvs)

example:
  lvs-doctor lab exec rs1 --prefix t1 -- ip route`,

  'lab diagnose': `usage: lvs-doctor lab diagnose [--prefix P] [--onenet | --fwmark] [--director-only] [diagnose options]

Runs lvs-doctor diagnose on the lab's inventory from the lab's ops namespace; every other option
goes to diagnose as it is (--json, --format F, --record DIR, --redact, ...). On a real-IPVS lab it
adds --connect-timeout 60 and --keep-connections 3600 (masters kept in the lab's directory, ended
by lab down) unless given.

options:
  --prefix P             lab name (default lvs)
  --onenet               the one-network inventory (the client on the realserver wire)
  --fwmark               the firewall-mark inventory (real-IPVS lab: client.fwmark-unmarked)
  --director-only        every realserver off-limits

example:
  lvs-doctor lab diagnose --prefix t1 --format text`,
};

/** The usage lines of a command's help, for a usage error. */
export function usageOf(command: string): string {
  const text = HELP[command] ?? '';
  const lines = text.split('\n');
  const end = lines.findIndex((l) => l.trim() === '');
  return `${(end < 0 ? lines : lines.slice(0, end)).join('\n')}\n(lvs-doctor ${command} --help for more)\n`;
}

/** --help or -h among the command's own arguments (not after `--`, which belongs to another program). */
export function wantsHelp(args: readonly string[]): boolean {
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  return own.includes('--help') || own.includes('-h');
}
