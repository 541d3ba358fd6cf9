// Faults of FAULTS.md the lab can inject by id, each with what differs from a real IPVS director.
import { closeSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findHost, LabError, planLab, type LabPlan, type PlannedRealserver } from './plan.js';
import { readState, writeState, type ActiveFault, type LabState } from './state.js';
import { natScript, type NatSetup } from './nat.js';
import { netnsShell, shQuote, sleep, isAlive, type ExecOptions, type ExecResult } from './proc.js';
import { guestShell } from './guest.js';
import { ipvsScript, LAB_FWMARK, type IpvsSetup } from './ipvs.js';
import type { LabBackend } from './state.js';
import { labPaths } from './files.js';
import { startResponder } from './hosts.js';

export type FaultTargetKind = 'realserver' | 'none';

export interface LabFaultSummary {
  id: string;
  description: string;
  /** Where the lab's netfilter NAT director behaves unlike IPVS for this fault (or says it does not). */
  differsFromIpvs: string;
  /** 'realserver': `--target rsN` picks the realserver; 'none': the fault is on the director or client. */
  targets: FaultTargetKind;
  defaultTarget?: string;
  variants?: string[];
  /** While active, every connection through the VIP goes to the target (a rescheduled SYN would hide it). */
  pinsTarget: boolean;
  /** Seen from the one-network client (`lanclient`, inventory-onenet.yaml). */
  onenet: boolean;
  /** Seen through inventory-fwmark.yaml (the service is a firewall-mark service while active). */
  fwmark?: boolean;
  /** The labs that can show it (absent: both). */
  backends?: LabBackend[];
  /** How the real-IPVS lab (`lab up --ipvs`) injects it, where that differs from the netns lab. */
  ipvsForm?: string;
}

interface FaultContext {
  plan: LabPlan;
  state: LabState;
  target: PlannedRealserver | null;
  variant: string | null;
}

interface LabFault extends LabFaultSummary {
  inject(ctx: FaultContext): Promise<void>;
  revert(ctx: FaultContext): Promise<void>;
  /** The real-IPVS lab's own inject/revert, where the netns lab's would not show the IPVS form. */
  ipvs?: { inject(ctx: FaultContext): Promise<void>; revert(ctx: FaultContext): Promise<void> };
}

type Shell = (netns: string, script: string, options?: ExecOptions) => Promise<ExecResult>;

/** Where a plan's namespaces are: on this machine (netns lab) or inside the guest (ipvs lab).
 * Registered by loadState for the plan it builds, so every helper below that takes a plan runs
 * its script in the right place. */
const shells = new WeakMap<LabPlan, Shell>();

function shellFor(plan: LabPlan): Shell {
  return shells.get(plan) ?? netnsShell;
}

function inNetns(plan: LabPlan, netns: string, script: string, options?: ExecOptions): Promise<ExecResult> {
  return shellFor(plan)(netns, script, options);
}

const COMMENT = 'lvs-doctor-lab';

function ns(plan: LabPlan, host: string): string {
  return findHost(plan, host).netns;
}

function onDirector(plan: LabPlan, script: string): Promise<unknown> {
  return inNetns(plan, ns(plan, 'director'), script);
}

function onHost(plan: LabPlan, host: string, script: string): Promise<unknown> {
  return inNetns(plan, ns(plan, host), script);
}

function must(ctx: FaultContext): PlannedRealserver {
  if (!ctx.target) throw new LabError('this fault needs a realserver target');
  return ctx.target;
}

/** Removes every copy of a rule (iptables -D deletes one at a time). */
function dropRule(table: string, spec: string): string {
  return `while iptables -t ${table} -D ${spec} 2>/dev/null; do :; done`;
}

const redirectSysctls = (plan: LabPlan, value: number): string =>
  ['all', 'default', plan.int].map((d) => `echo ${value} > /proc/sys/net/ipv4/conf/${d}/send_redirects`).join('\n');

/** A plain (non-NATed) ping from the realserver to the one-network client: the director forwards it back out `int`. */
async function provokeRedirect(plan: LabPlan, rs: PlannedRealserver): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    // The first redirect only makes the realserver resolve the new next hop; a later one is cached.
    await inNetns(plan, ns(plan, rs.name), `ping -n -c 3 -i 0.2 -W 1 ${plan.lanclient} >/dev/null 2>&1 || true`, { allowFailure: true });
    const route = await inNetns(plan, ns(plan, rs.name), `ip route get ${plan.lanclient}`, { allowFailure: true });
    if (route.stdout.includes('redirected')) return;
    // The kernel rate-limits redirects per host (silence after 9); wait and retry.
    await sleep(1000);
  }
  throw new LabError(`${rs.name} did not take the director's ICMP redirect (rate-limited? try again in 20 s)`);
}

function spawnWatcher(plan: LabPlan, state: LabState): number {
  const { vip, vport } = state.info.service;
  const script =
    `conntrack -E -e NEW -p tcp --orig-dst ${vip} --orig-port-dst ${vport} 2>/dev/null | ` +
    `while read -r _; do conntrack -D -p tcp --orig-dst ${vip} --orig-port-dst ${vport} >/dev/null 2>&1 || true; done`;
  const log = openSync(join(state.info.dir, 'hosts', 'director', 'leak-watcher.log'), 'a');
  try {
    // detached: the watcher and its pipeline form one process group, stopped as a whole on revert.
    const child = spawn('ip', ['netns', 'exec', ns(plan, 'director'), 'sh', '-c', script], { detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new LabError('cannot start the conntrack watcher');
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** director.untranslated-leak on real IPVS: an entry idle longer than the TCP timeout expires, and
 * the target thinks longer than that before it answers (both small: the doctor's test connection
 * lasts 2 s). The margin (0.2 s, plus the fork of sleep and cat) covers the guest's timer and fork delays under TCG. */
const LEAK_TCP_TIMEOUT_S = 1;
const LEAK_THINK_S = 1.2;
/** The kernel's ESTABLISHED timeout (ip_vs_proto_tcp.c: 15 min), which the lab never changes otherwise. */
const IPVS_DEFAULT_TCP_TIMEOUT_S = 900;

const sameAsIpvs = 'Nothing for this fault: it lives outside the load balancer, and the packets are those of an IPVS setup.';

const FAULTS: LabFault[] = [
  {
    id: 'director.ip-forward-off',
    description: 'net.ipv4.ip_forward=0 on the director.',
    differsFromIpvs:
      'IPVS NAT forwards the request from LOCAL_IN and needs ip_forward only for the replies, so with real IPVS the SYN reaches the realserver and its reply dies at the director. Netfilter DNAT needs forwarding for the request itself: in the lab the SYN is seen on ext and never on int (IpInAddrErrors counts it).',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    inject: async ({ plan }) => void (await onDirector(plan, 'echo 0 > /proc/sys/net/ipv4/ip_forward')),
    revert: async ({ plan }) => void (await onDirector(plan, `echo 1 > /proc/sys/net/ipv4/ip_forward\n${redirectSysctls(plan, 0)}`)),
  },
  {
    id: 'director.vip-not-local',
    description: 'The VIP is removed from the director\'s ext interface: the SYN arrives on ext and is not balanced; the director has no route for it and answers ICMP net unreachable.',
    differsFromIpvs:
      'Close to IPVS: the lab balances only packets to a local address (iptables addrtype LOCAL / nft fib daddr type local), as IPVS only sees packets that reach LOCAL_IN. The NAT rule itself stays in place.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    inject: async ({ plan }) => void (await onDirector(plan, `ip addr del ${plan.vip}/32 dev ${plan.ext}`)),
    revert: async ({ plan }) => void (await onDirector(plan, `ip addr replace ${plan.vip}/32 dev ${plan.ext}`)),
  },
  {
    id: 'director.no-virtual-service',
    description: 'The virtual service VIP:VPORT is removed (the second service VIP:443 stays, as on a director with several): the VIP is local and nothing listens, so the director answers the SYN with RST.',
    differsFromIpvs:
      'The packets match IPVS without the service (RST from VIP:VPORT). The table the doctor reads is netfilter\'s (`iptables -t nat -S` / `nft list ruleset`, `conntrack -L`), not `ipvsadm -Ln`.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    inject: async () => undefined,
    revert: async () => undefined,
  },
  {
    id: 'director.no-weight',
    description: 'The service exists with no usable realserver: the director answers ICMP port unreachable from the VIP.',
    differsFromIpvs:
      'IPVS with every weight 0 answers "ICMP VIP tcp port N unreachable"; the lab sends the same packet from an INPUT REJECT rule and an empty NAT chain. There are no realserver entries with weight 0 to read.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    inject: async () => undefined,
    revert: async () => undefined,
  },
  {
    id: 'director.send-redirects',
    description:
      'One-network NAT (inventory-onenet.yaml): send_redirects=1 on the director. A plain ping from the target realserver to the LAN client is forwarded back out int, the director sends an ICMP redirect, and the realserver\'s replies then go straight to the client, untranslated.',
    differsFromIpvs:
      'Netfilter NAT never emits ICMP redirects for NATed flows (IPVS can, for its replies); the lab provokes the redirect with a non-NATed ping from the realserver, after which its replies bypass the director exactly as in 5.12. The kernel rate-limits redirects (about 20 s of silence after 9).',
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: true,
    inject: async (ctx) => {
      await onDirector(ctx.plan, redirectSysctls(ctx.plan, 1));
      await provokeRedirect(ctx.plan, must(ctx));
    },
    revert: async ({ plan }) => {
      await onDirector(plan, redirectSysctls(plan, 0));
      await Promise.all(plan.realservers.map((rs) => onHost(plan, rs.name, 'ip route flush cache')));
    },
  },
  {
    id: 'director.rp-filter',
    description:
      'Strict rp_filter on the director and a host route to the client via the bypass router on int: the reverse path of CIP leaves by int, so the SYN arriving on ext is dropped (TcpExtIPReversePathFilter).',
    differsFromIpvs: 'None: rp_filter runs at routing input, before IPVS or DNAT see the packet.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    inject: async ({ plan }) =>
      void (await onDirector(
        plan,
        `ip route replace ${plan.cip}/32 via ${plan.routerLan} dev ${plan.int}\necho 1 > /proc/sys/net/ipv4/conf/all/rp_filter\necho 1 > /proc/sys/net/ipv4/conf/${plan.ext}/rp_filter`,
      )),
    revert: async ({ plan }) =>
      void (await onDirector(
        plan,
        `ip route del ${plan.cip}/32 2>/dev/null || true\necho 0 > /proc/sys/net/ipv4/conf/all/rp_filter\necho 0 > /proc/sys/net/ipv4/conf/${plan.ext}/rp_filter`,
      )),
  },
  {
    id: 'director.firewall-drop',
    description: 'A DROP rule on the director: variant "requests" drops the client\'s packets arriving on ext, "replies" drops the realservers\' replies arriving on int.',
    differsFromIpvs:
      'With IPVS the request crosses INPUT and the reply FORWARD; with DNAT both cross FORWARD, so the lab\'s rules sit in FORWARD (a request-side DROP in INPUT would not bite here).',
    targets: 'none',
    variants: ['requests', 'replies'],
    pinsTarget: false,
    onenet: false,
    inject: async ({ plan, variant }) => {
      const rule = variant === 'replies' ? `FORWARD -i ${plan.int} -d ${plan.cip}` : `FORWARD -i ${plan.ext} -s ${plan.cip}`;
      await onDirector(plan, `iptables -I ${rule} -m comment --comment ${COMMENT} -j DROP`);
    },
    ipvsForm: 'IPVS takes the request in INPUT (the VIP is local) and the reply in FORWARD: the "requests" rule sits in INPUT.',
    ipvs: {
      inject: async ({ plan, variant }) => {
        const rule = variant === 'replies' ? `FORWARD -i ${plan.int} -d ${plan.cip}` : `INPUT -i ${plan.ext} -s ${plan.cip} -d ${plan.vip} -p tcp --dport ${plan.vport}`;
        await onDirector(plan, `iptables -I ${rule} -m comment --comment ${COMMENT} -j DROP`);
      },
      revert: async ({ plan }) =>
        void (await onDirector(
          plan,
          [`FORWARD -i ${plan.int} -d ${plan.cip}`, `INPUT -i ${plan.ext} -s ${plan.cip} -d ${plan.vip} -p tcp --dport ${plan.vport}`]
            .map((r) => dropRule('filter', `${r} -m comment --comment ${COMMENT} -j DROP`))
            .join('\n'),
        )),
    },
    revert: async ({ plan }) =>
      void (await onDirector(
        plan,
        [`FORWARD -i ${plan.int} -d ${plan.cip}`, `FORWARD -i ${plan.ext} -s ${plan.cip}`]
          .map((r) => dropRule('filter', `${r} -m comment --comment ${COMMENT} -j DROP`))
          .join('\n'),
      )),
  },
  {
    id: 'director.untranslated-leak',
    description:
      'The connection entry is gone while the target realserver still answers (5.24): its packets meet no entry on the director and leave ext untranslated, with source RIP:RPORT.',
    differsFromIpvs:
      'Real IPVS forgets an entry when its timeout expires while the realserver still answers. The netns lab forgets it mid-handshake on demand: a watcher (`conntrack -E`) on the director deletes each new entry for VIP:VPORT with `conntrack -D`; the target realserver drops the first SYN+ACK of each connection (hashlimit per client port) so its retransmission comes after the deletion; the director drops the client\'s SYN retransmissions (hashlimit per source port) so no new entry is made. Every connection is pinned to the target while active.',
    ipvsForm:
      `The entry really expires: the director's TCP (ESTABLISHED) timeout is set to ${LEAK_TCP_TIMEOUT_S} s (\`ipvsadm --set ${LEAK_TCP_TIMEOUT_S} 0 0\`) and the target answers each request ${LEAK_THINK_S} s after reading it, so its answer leaves ext from RIP:RPORT. Not the SYN+ACK form: the SYN_RECV timeout (60 s) cannot be set, and deleting the entry on demand (removing and re-adding the realserver with expire_nodest_conn=1) took 2.7 s on the loaded TCG guest, after the realserver's 1 s SYN+ACK retransmission.`,
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    backends: ['netns', 'ipvs'],
    ipvs: {
      inject: async (ctx) => {
        const rs = must(ctx);
        await restartGuestResponder(ctx.plan, rs, rs.rport, LEAK_THINK_S);
        await onDirector(ctx.plan, `ipvsadm --set ${LEAK_TCP_TIMEOUT_S} 0 0`);
      },
      revert: async (ctx) => {
        const rs = must(ctx);
        // 0 keeps a timeout as it is: only the TCP one goes back to the kernel's default.
        await onDirector(ctx.plan, `ipvsadm --set ${IPVS_DEFAULT_TCP_TIMEOUT_S} 0 0`);
        await restartGuestResponder(ctx.plan, rs, rs.rport);
      },
    },
    inject: async (ctx) => {
      const rs = must(ctx);
      const { plan, state } = ctx;
      await onHost(
        plan,
        rs.name,
        `iptables -I OUTPUT -p tcp --sport ${rs.rport} --tcp-flags SYN,ACK SYN,ACK -m hashlimit --hashlimit-name lvslabsynack --hashlimit-mode dstip,dstport --hashlimit-upto 1/hour --hashlimit-burst 1 -m comment --comment ${COMMENT} -j DROP`,
      );
      await onDirector(
        plan,
        `iptables -t raw -I PREROUTING -p tcp --syn -d ${plan.vip} --dport ${plan.vport} -m hashlimit --hashlimit-name lvslableak --hashlimit-mode srcip,srcport --hashlimit-above 1/hour --hashlimit-burst 1 -m comment --comment ${COMMENT} -j DROP`,
      );
      state.daemons.push({ host: 'director', kind: 'watcher', pid: spawnWatcher(plan, state) });
      await sleep(200);
    },
    revert: async (ctx) => {
      const { plan, state } = ctx;
      for (const d of state.daemons.filter((x) => x.kind === 'watcher')) {
        try {
          process.kill(-d.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      for (let i = 0; i < 20 && state.daemons.some((d) => d.kind === 'watcher' && isAlive(d.pid)); i++) await sleep(25);
      state.daemons = state.daemons.filter((d) => d.kind !== 'watcher');
      await onDirector(
        plan,
        dropRule(
          'raw',
          `PREROUTING -p tcp --syn -d ${plan.vip} --dport ${plan.vport} -m hashlimit --hashlimit-name lvslableak --hashlimit-mode srcip,srcport --hashlimit-above 1/hour --hashlimit-burst 1 -m comment --comment ${COMMENT} -j DROP`,
        ),
      );
      await Promise.all(
        plan.realservers.map((rs) =>
          onHost(
            plan,
            rs.name,
            dropRule(
              'filter',
              `OUTPUT -p tcp --sport ${rs.rport} --tcp-flags SYN,ACK SYN,ACK -m hashlimit --hashlimit-name lvslabsynack --hashlimit-mode dstip,dstport --hashlimit-upto 1/hour --hashlimit-burst 1 -m comment --comment ${COMMENT} -j DROP`,
            ),
          ),
        ),
      );
    },
  },
  {
    id: 'realserver.reply-route',
    description: 'The target realserver\'s default route goes via the bypass router instead of the DIP: its SYN+ACK reaches the client untranslated, never crossing the director.',
    differsFromIpvs: sameAsIpvs,
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, `ip route replace default via ${ctx.plan.routerLan}`)),
    revert: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, `ip route replace default via ${ctx.plan.dip}\nip route flush cache`)),
  },
  {
    id: 'director.return-path-stalled',
    description: 'The director\'s view of realserver.reply-route: its entries for the target stay half-open because the replies never come back through it.',
    differsFromIpvs:
      'IPVS shows SYN_RECV entries (ActiveConn) and OutPkts 0 in `ipvsadm -Lnc`; the lab\'s evidence is `conntrack -L` entries in SYN_SENT [UNREPLIED] for the target.',
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, `ip route replace default via ${ctx.plan.routerLan}`)),
    revert: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, `ip route replace default via ${ctx.plan.dip}\nip route flush cache`)),
  },
  {
    id: 'realserver.onlink-client',
    description:
      'One-network NAT (inventory-onenet.yaml): the target realserver gets an on-link route to the LAN client\'s subnet and answers it directly, untranslated.',
    differsFromIpvs: sameAsIpvs,
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: true,
    inject: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, `ip route replace ${ctx.plan.onenetGateway.replace(/\.\d+$/, '.0')}/24 dev ${ctx.plan.lanIf}`)),
    revert: async (ctx) =>
      void (await onHost(ctx.plan, must(ctx).name, `ip route del ${ctx.plan.onenetGateway.replace(/\.\d+$/, '.0')}/24 dev ${ctx.plan.lanIf} 2>/dev/null || true\nip route flush cache`)),
  },
  {
    id: 'realserver.redirect-accepted',
    description:
      'One-network NAT: the target realserver holds a cached ICMP redirect to the LAN client (`ip route get` says redirected) although the director no longer sends redirects; its replies go straight to the client.',
    differsFromIpvs:
      'The redirect is provoked by a plain ping from the realserver while send_redirects is briefly 1 on the director, then set back to 0 (netfilter NAT flows never trigger redirects); the cache then outlives the fix, as in 5.12.',
    targets: 'realserver',
    defaultTarget: 'rs2',
    pinsTarget: true,
    onenet: true,
    inject: async (ctx) => {
      await onDirector(ctx.plan, redirectSysctls(ctx.plan, 1));
      try {
        await provokeRedirect(ctx.plan, must(ctx));
      } finally {
        await onDirector(ctx.plan, redirectSysctls(ctx.plan, 0));
      }
    },
    revert: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, 'ip route flush cache')),
  },
  {
    id: 'realserver.no-listener',
    description:
      'Nothing listens on RIP:RPORT of the target: it answers the SYN with RST. On the port-remapped realserver (rs3, 8080) the responder is restarted on the VIP port instead, the remapping mistake of 5.14.',
    differsFromIpvs: sameAsIpvs,
    targets: 'realserver',
    defaultTarget: 'rs3',
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) => {
      const rs = must(ctx);
      await restartResponder(ctx, rs, rs.rport !== ctx.plan.vport ? ctx.plan.vport : null);
    },
    revert: async (ctx) => {
      const rs = must(ctx);
      await restartResponder(ctx, rs, rs.rport);
    },
    ipvs: {
      inject: async (ctx) => {
        const rs = must(ctx);
        await restartGuestResponder(ctx.plan, rs, rs.rport !== ctx.plan.vport ? ctx.plan.vport : null);
      },
      revert: async (ctx) => {
        const rs = must(ctx);
        await restartGuestResponder(ctx.plan, rs, rs.rport);
      },
    },
  },
  {
    id: 'realserver.firewall-reject',
    description: 'The target realserver rejects RPORT with ICMP port unreachable (the client sees it translated, from the VIP).',
    differsFromIpvs: sameAsIpvs,
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) =>
      void (await onHost(ctx.plan, must(ctx).name, `iptables -I INPUT -p tcp --dport ${must(ctx).rport} -m comment --comment ${COMMENT} -j REJECT --reject-with icmp-port-unreachable`)),
    revert: async (ctx) =>
      void (await onHost(ctx.plan, must(ctx).name, dropRule('filter', `INPUT -p tcp --dport ${must(ctx).rport} -m comment --comment ${COMMENT} -j REJECT --reject-with icmp-port-unreachable`))),
  },
  {
    id: 'realserver.silent-drop',
    description:
      'The request reaches the target realserver and nothing comes back: variant "firewall" (an INPUT DROP rule on RPORT) or "rp-filter" (strict rp_filter with the route to the client on the management interface).',
    differsFromIpvs: sameAsIpvs,
    targets: 'realserver',
    defaultTarget: 'rs1',
    variants: ['firewall', 'rp-filter'],
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) => {
      const rs = must(ctx);
      const script =
        ctx.variant === 'rp-filter'
          ? `ip route replace ${ctx.plan.cip}/32 dev ${ctx.plan.mgmtIf}\necho 1 > /proc/sys/net/ipv4/conf/all/rp_filter\necho 1 > /proc/sys/net/ipv4/conf/${ctx.plan.lanIf}/rp_filter`
          : `iptables -I INPUT -p tcp --dport ${rs.rport} -m comment --comment ${COMMENT} -j DROP`;
      await onHost(ctx.plan, rs.name, script);
    },
    revert: async (ctx) => {
      const rs = must(ctx);
      await onHost(
        ctx.plan,
        rs.name,
        [
          dropRule('filter', `INPUT -p tcp --dport ${rs.rport} -m comment --comment ${COMMENT} -j DROP`),
          `ip route del ${ctx.plan.cip}/32 dev ${ctx.plan.mgmtIf} 2>/dev/null || true`,
          'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter',
          `echo 0 > /proc/sys/net/ipv4/conf/${ctx.plan.lanIf}/rp_filter`,
        ].join('\n'),
      );
    },
  },
  {
    id: 'realserver.rip-missing',
    description: 'The RIP is removed from the target realserver: the request is not answered (the director\'s ARP for the RIP goes unanswered once its cache expires).',
    differsFromIpvs: sameAsIpvs,
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) => void (await onHost(ctx.plan, must(ctx).name, `ip addr del ${must(ctx).rip}/24 dev ${ctx.plan.lanIf}`)),
    revert: async (ctx) =>
      void (await onHost(ctx.plan, must(ctx).name, `ip addr replace ${must(ctx).rip}/24 dev ${ctx.plan.lanIf}\nip route replace default via ${ctx.plan.dip}`)),
  },
  {
    id: 'realserver.unreachable',
    description: 'The target realserver\'s LAN cable is pulled (its bridge port is set down): the director\'s ARP for the RIP gets no answer.',
    differsFromIpvs:
      'None for the packets. To show the loss at once the lab also flushes the director\'s ARP entry for the RIP; a real director would keep using the stale MAC for up to about 30 s.',
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    inject: async (ctx) => {
      const rs = must(ctx);
      await inNetns(ctx.plan, ctx.plan.bridgeNetns, `ip link set ${rs.name}-lan down`);
      await onDirector(ctx.plan, `ip neigh flush to ${rs.rip} 2>/dev/null || true`);
    },
    revert: async (ctx) => {
      const rs = must(ctx);
      await inNetns(ctx.plan, ctx.plan.bridgeNetns, `ip link set ${rs.name}-lan up`);
      await onHost(ctx.plan, rs.name, `ip route replace default via ${ctx.plan.dip}`);
    },
  },
  {
    id: 'client.no-route-to-vip',
    description: 'The client\'s route to the VIP is deleted: its SYN never leaves (connect fails with "Network is unreachable") and never reaches the director.',
    differsFromIpvs: sameAsIpvs,
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    inject: async ({ plan }) => void (await onHost(plan, 'client', `ip route del ${plan.vip}/32`)),
    revert: async ({ plan }) => void (await onHost(plan, 'client', `ip route replace ${plan.vip}/32 via ${plan.directorExtAddress}`)),
  },
];

const NO_IPVS_CONF = '/etc/modprobe.d/lvs-doctor-lab-no-ipvs.conf';

/** Faults only a kernel IPVS director shows: the real-IPVS lab (`lab up --ipvs`) injects them. */
const IPVS_ONLY: LabFault[] = [
  {
    id: 'director.not-masq',
    description: 'The target realserver is listed with direct routing (-g) in the NAT service: the director sends the SYN unchanged (dst VIP) to its MAC, and the realserver, without the VIP, drops it.',
    differsFromIpvs: 'Real IPVS only.',
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: true,
    onenet: false,
    backends: ['ipvs'],
    inject: async () => undefined,
    revert: async () => undefined,
  },
  {
    id: 'client.fwmark-unmarked',
    description: `VIP:VPORT is served as a firewall-mark service (FWM ${LAB_FWMARK}) and no mangle rule marks the client's packets: the service never sees them. Diagnose with inventory-fwmark.yaml (lab diagnose --fwmark).`,
    differsFromIpvs: 'Real IPVS only.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    fwmark: true,
    backends: ['ipvs'],
    inject: async () => undefined,
    revert: async () => undefined,
  },
  {
    id: 'director.snat-reroute',
    description: 'A source policy route for the VIP (`ip rule from VIP lookup 100`, default via the bypass router on ext) while net.ipv4.vs.snat_reroute = 0: IPVS does not re-route its NATed replies by their new source, they follow the main table.',
    differsFromIpvs: 'Real IPVS only.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    backends: ['ipvs'],
    inject: async ({ plan }) =>
      void (await onDirector(
        plan,
        `ip route replace default via ${plan.routerExt} dev ${plan.ext} table 100\nip rule add from ${plan.vip} lookup 100 pref 100\necho 0 > /proc/sys/net/ipv4/vs/snat_reroute`,
      )),
    revert: async ({ plan }) =>
      void (await onDirector(plan, `while ip rule del from ${plan.vip} lookup 100 pref 100 2>/dev/null; do :; done\nip route flush table 100\necho 1 > /proc/sys/net/ipv4/vs/snat_reroute`)),
  },
  {
    id: 'director.ftp-helper-missing',
    description: 'A NAT service VIP:21 (to rs1:21) exists and ip_vs_ftp is not loaded: FTP data connections cannot be translated.',
    differsFromIpvs: 'Real IPVS only (the netns lab would need nf_conntrack_ftp).',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    backends: ['ipvs'],
    inject: async ({ plan }) =>
      void (await onDirector(plan, `modprobe -r ip_vs_ftp 2>/dev/null || true\nipvsadm -A -t ${plan.vip}:21 -s rr\nipvsadm -a -t ${plan.vip}:21 -r ${plan.realservers[0].rip}:21 -m -w 1`)),
    revert: async ({ plan }) => void (await onDirector(plan, `ipvsadm -D -t ${plan.vip}:21 2>/dev/null || true`)),
  },
  {
    id: 'director.direct-rip-unreachable',
    description: 'net.ipv4.vs.nat_icmp_send = 1 and the client also connects straight to the target\'s RIP (a loop, once a second): the director answers the realserver\'s replies of those connections with ICMP port unreachable (5.17).',
    differsFromIpvs: 'Real IPVS only.',
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: false,
    onenet: false,
    backends: ['ipvs'],
    inject: async (ctx) => {
      const rs = must(ctx);
      await onDirector(ctx.plan, 'echo 1 > /proc/sys/net/ipv4/vs/nat_icmp_send');
      await startGuestLoop(ctx.plan, 'client', 'direct-rip', `while :; do curl -s -o /dev/null --max-time 1 http://${rs.rip}:${rs.rport}/; sleep 1; done`);
    },
    revert: async ({ plan }) => {
      await stopGuestLoop(plan, 'client', 'direct-rip');
      await onDirector(plan, 'echo 0 > /proc/sys/net/ipv4/vs/nat_icmp_send');
    },
  },
  {
    id: 'director.vs-conntrack-off',
    description: 'A stateful FORWARD rule set on the director (policy DROP, accept ESTABLISHED,RELATED and the client\'s new connections) with net.ipv4.vs.conntrack = 0: IPVS traffic has no conntrack entry, so the realservers\' replies are dropped.',
    differsFromIpvs: 'Real IPVS only.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    backends: ['ipvs'],
    inject: async ({ plan }) =>
      void (await onDirector(
        plan,
        `echo 0 > /proc/sys/net/ipv4/vs/conntrack\niptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment ${COMMENT} -j ACCEPT\niptables -A FORWARD -i ${plan.ext} -m comment --comment ${COMMENT} -j ACCEPT\niptables -P FORWARD DROP`,
      )),
    revert: async ({ plan }) =>
      void (await onDirector(
        plan,
        `iptables -P FORWARD ACCEPT\n${dropRule('filter', `FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment ${COMMENT} -j ACCEPT`)}\n${dropRule('filter', `FORWARD -i ${plan.ext} -m comment --comment ${COMMENT} -j ACCEPT`)}`,
      )),
  },
  {
    id: 'director.expire-nodest-off',
    description: 'A client holds a connection open to the target (a line every 2 s), then the target is removed from the service (`ipvsadm -d`, as a health checker does) with net.ipv4.vs.expire_nodest_conn = 0: its entry stays and the client hangs.',
    differsFromIpvs: 'Real IPVS only.',
    targets: 'realserver',
    defaultTarget: 'rs1',
    pinsTarget: false,
    onenet: false,
    backends: ['ipvs'],
    inject: async (ctx) => {
      const rs = must(ctx);
      const { plan } = ctx;
      // Only the target takes new connections until the held one is in place (applyNat, run
      // before this, already removed it: it comes back for the held connection).
      await onDirector(plan, `ipvsadm -a -t ${plan.vip}:${plan.vport} -r ${rs.rip}:${rs.rport} -m -w 1 2>/dev/null || true`);
      await onDirector(plan, plan.realservers.filter((r) => r.name !== rs.name).map((r) => `ipvsadm -e -t ${plan.vip}:${plan.vport} -r ${r.rip}:${r.rport} -m -w 0`).join('\n'));
      await startGuestLoop(plan, 'client', 'held', `while :; do echo x; sleep 2; done | socat -T3600 - TCP:${plan.vip}:${plan.vport}`);
      await onDirector(plan, `for i in $(seq 50); do ipvsadm -Lnc | grep -q 'ESTABLISHED.* ${rs.rip}:${rs.rport}$' && break; sleep 0.2; done\nipvsadm -d -t ${plan.vip}:${plan.vport} -r ${rs.rip}:${rs.rport}`);
      await applyIpvs(plan, ctx.state);
    },
    revert: async (ctx) => {
      await stopGuestLoop(ctx.plan, 'client', 'held');
    },
  },
  {
    id: 'director.ipvs-unavailable',
    description: 'The director has no IPVS: every service is deleted and the ip_vs modules are unloaded (`ipvsadm` fails with "Can\'t initialize ipvs").',
    differsFromIpvs: 'Real IPVS only. The modules are global to the guest; only the director uses them.',
    targets: 'none',
    pinsTarget: false,
    onenet: false,
    backends: ['ipvs'],
    // Last in the list (and so in the suites): unloading and reloading ip_vs is the one fault
    // that changes the guest's kernel for every namespace.
    inject: async ({ plan }) => {
      await onDirector(plan, 'ipvsadm -C');
      // As on a kernel without IPVS: the modules go, and cannot come back (ipvsadm would
      // otherwise load ip_vs again by itself).
      await inNetns(plan, ns(plan, 'director'), `printf 'install ip_vs /bin/false\\n' > ${NO_IPVS_CONF}\nfor i in $(seq 10); do modprobe -r ip_vs_ftp ip_vs_wrr ip_vs_rr ip_vs 2>/dev/null && exit 0; sleep 1; done; modprobe -r ip_vs_ftp ip_vs_wrr ip_vs_rr ip_vs`, { timeoutMs: 60_000 });
    },
    revert: async ({ plan }) => void (await onDirector(plan, `rm -f ${NO_IPVS_CONF}\nmodprobe ip_vs && modprobe ip_vs_rr && modprobe ip_vs_wrr`)),
  },
];

async function restartResponder(ctx: FaultContext, rs: PlannedRealserver, port: number | null): Promise<void> {
  const { state, plan } = ctx;
  const old = state.daemons.filter((d) => d.host === rs.name && d.kind === 'responder');
  for (const d of old) {
    try {
      process.kill(d.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < 40 && old.some((d) => isAlive(d.pid)); i++) await sleep(25);
  state.daemons = state.daemons.filter((d) => !(d.host === rs.name && d.kind === 'responder'));
  if (port !== null) {
    const pid = startResponder(labPaths(state.info.dir), findHost(plan, rs.name), port);
    state.daemons.push({ host: rs.name, kind: 'responder', pid });
    const listening = `ss -Hltn sport = :${port} | grep -q .`;
    await inNetns(plan, findHost(plan, rs.name).netns, `for i in $(seq 100); do ${listening} && exit 0; sleep 0.02; done; exit 1`);
  }
}

/** A background loop inside the guest, in one host's namespace: its own process group, whose
 * leader's PID is kept in /lab/loop-TAG.pid so that the revert ends exactly that group. */
async function startGuestLoop(plan: LabPlan, host: string, tag: string, script: string): Promise<void> {
  const pidFile = `/lab/loop-${tag}.pid`;
  await inNetns(plan, ns(plan, host), `setsid -f sh -c ${shQuote(`echo $$ > ${pidFile}; ${script}`)} >/dev/null 2>&1 </dev/null\nfor i in $(seq 50); do [ -s ${pidFile} ] && exit 0; sleep 0.1; done; exit 1`);
}

async function stopGuestLoop(plan: LabPlan, host: string, tag: string): Promise<void> {
  const pidFile = `/lab/loop-${tag}.pid`;
  await inNetns(plan, ns(plan, host), `if [ -s ${pidFile} ]; then kill -- -$(cat ${pidFile}) 2>/dev/null || true; fi\nrm -f ${pidFile}`);
}

/** The guest's responder for one realserver, stopped (port null) or (re)started on `port`,
 * answering each request `thinkS` seconds after reading it. */
async function restartGuestResponder(plan: LabPlan, rs: PlannedRealserver, port: number | null, thinkS?: number): Promise<void> {
  const netns = ns(plan, rs.name);
  const dir = `/lab/hosts/${rs.name}`;
  const stop = `for p in $(ip netns pids ${netns}); do [ "$(cat /proc/$p/comm 2>/dev/null)" = socat ] && kill $p; done; sleep 0.3`;
  const start =
    port === null
      ? ''
      : `\nsetsid -f socat -T5 TCP-LISTEN:${port},fork,reuseaddr EXEC:"sh ${dir}/responder.sh ${dir}/response.http${thinkS ? ` ${thinkS}` : ''}" >> ${dir}/responder.log 2>&1 </dev/null\nfor i in $(seq 50); do ss -Hltn sport = :${port} | grep -q . && exit 0; sleep 0.1; done; exit 1`;
  await inNetns(plan, netns, `${stop}${start}`);
}

const ALL_FAULTS = [...FAULTS, ...IPVS_ONLY];

/** Every fault, or those the given lab can show. */
export function labFaults(backend?: LabBackend): LabFaultSummary[] {
  return ALL_FAULTS.filter((f) => !backend || !f.backends || f.backends.includes(backend)).map(({ inject: _i, revert: _r, ipvs: _p, ...summary }) => summary);
}

function lookup(id: string): LabFault {
  const fault = ALL_FAULTS.find((f) => f.id === id);
  if (!fault) throw new LabError(`unknown fault id '${id}' (see \`lvs-doctor lab faults\`)`);
  return fault;
}

function natSetup(plan: LabPlan, state: LabState): NatSetup {
  const active = new Set(state.faults.map((f) => f.id));
  if (active.has('director.no-virtual-service')) return { service: false, backends: [] };
  if (active.has('director.no-weight')) return { service: true, backends: [] };
  const pinned = plan.realservers.find((r) => r.name === state.pinned);
  return { service: true, backends: pinned ? [pinned] : plan.realservers };
}

/** The IPVS director's configuration for the active faults (the real-IPVS lab's natSetup). */
function ipvsSetup(plan: LabPlan, state: LabState): IpvsSetup {
  const active = new Map(state.faults.map((f) => [f.id, f]));
  const weights = new Map<string, number>();
  const forwarding = new Map<string, 'g' | 'i' | 'm'>();
  for (const rs of plan.realservers) {
    if (active.has('director.no-weight') || (state.pinned && state.pinned !== rs.name)) weights.set(rs.name, 0);
  }
  const notMasq = active.get('director.not-masq');
  if (notMasq?.target) forwarding.set(notMasq.target, 'g');
  const fwmark = active.has('client.fwmark-unmarked');
  const removed = active.get('director.expire-nodest-off')?.target;
  return {
    service: !active.has('director.no-virtual-service') && !active.has('director.ipvs-unavailable'),
    weights,
    forwarding,
    fwmark,
    markRule: !fwmark,
    ...(removed ? { absent: new Set([removed]) } : {}),
  };
}

async function applyIpvs(plan: LabPlan, state: LabState): Promise<void> {
  if (state.faults.some((f) => f.id === 'director.ipvs-unavailable')) return;
  await onDirector(plan, ipvsScript(plan, ipvsSetup(plan, state)));
}

async function applyNat(plan: LabPlan, state: LabState): Promise<void> {
  if (state.info.backend === 'ipvs') return applyIpvs(plan, state);
  const { vip } = state.info.service;
  await onDirector(plan, `${natScript(plan, state.info.nat, natSetup(plan, state))}\nconntrack -D -p tcp --orig-dst ${vip} >/dev/null 2>&1 || true`);
}

function loadState(prefix: string): { state: LabState; plan: LabPlan } {
  const state = readState(prefix);
  if (!state) throw new LabError(`no lab '${prefix}' is up`);
  const plan = planLab(prefix, state.info.realservers.length);
  if (state.info.backend === 'ipvs') shells.set(plan, (netns, script, options) => guestShell(state, netns, script, options));
  return { state, plan };
}

function injectorOf(fault: LabFault, state: LabState): { inject(ctx: FaultContext): Promise<void>; revert(ctx: FaultContext): Promise<void> } {
  return state.info.backend === 'ipvs' && fault.ipvs ? fault.ipvs : fault;
}

function context(plan: LabPlan, state: LabState, fault: LabFault, active: ActiveFault): FaultContext {
  const target = active.target ? plan.realservers.find((r) => r.name === active.target) ?? null : null;
  return { plan, state, target, variant: active.variant ?? null };
}

export interface InjectOptions {
  target?: string;
  variant?: string;
}

export async function injectFault(prefix: string, id: string, opts: InjectOptions = {}): Promise<void> {
  const fault = lookup(id);
  const { state, plan } = loadState(prefix);
  const backend = state.info.backend ?? 'netns';
  if (fault.backends && !fault.backends.includes(backend)) {
    throw new LabError(`fault '${id}' cannot be shown by the ${backend === 'ipvs' ? 'real-IPVS' : 'netns (netfilter NAT)'} lab; it needs ${fault.backends.map((b) => (b === 'ipvs' ? '`lab up --ipvs`' : 'the netns lab')).join(' or ')}`);
  }
  if (state.faults.some((f) => f.id === id)) throw new LabError(`fault '${id}' is already active in lab '${prefix}'`);
  let target: string | undefined;
  if (fault.targets === 'realserver') {
    target = opts.target ?? fault.defaultTarget;
    if (!plan.realservers.some((r) => r.name === target)) {
      throw new LabError(`'${target}' is not a realserver of lab '${prefix}' (${plan.realservers.map((r) => r.name).join(', ')})`);
    }
  } else if (opts.target !== undefined) {
    throw new LabError(`fault '${id}' takes no --target`);
  }
  if (opts.variant !== undefined && !fault.variants?.includes(opts.variant)) {
    throw new LabError(`fault '${id}' has ${fault.variants ? `variants ${fault.variants.join(', ')}` : 'no variants'}, not '${opts.variant}'`);
  }
  if (fault.pinsTarget && state.pinned && state.pinned !== target) {
    throw new LabError(`connections are pinned to ${state.pinned} by another active fault; revert it first`);
  }
  const active: ActiveFault = { id, target, variant: opts.variant ?? fault.variants?.[0] };
  const ctx = context(plan, state, fault, active);
  state.faults.push(active);
  if (fault.pinsTarget && target) state.pinned = target;
  writeState(state);
  try {
    await applyNat(plan, state);
    await injectorOf(fault, state).inject(ctx);
    writeState(state);
  } catch (error) {
    await revertFault(prefix, id).catch(() => undefined);
    throw error;
  }
}

export async function revertFault(prefix: string, id: string): Promise<void> {
  const fault = lookup(id);
  const { state, plan } = loadState(prefix);
  const active = state.faults.find((f) => f.id === id);
  if (!active) throw new LabError(`fault '${id}' is not active in lab '${prefix}'`);
  await injectorOf(fault, state).revert(context(plan, state, fault, active));
  state.faults = state.faults.filter((f) => f.id !== id);
  const stillPinning = state.faults.map((f) => lookup(f.id)).find((f) => f.pinsTarget);
  if (!stillPinning) state.pinned = null;
  writeState(state);
  await applyNat(plan, state);
}
