// Result documents shaped as the engine builds them, for the formatter tests until recorded
// bundles (fixtures/bundles/<case>/) exist; the bundle tests then run on the real thing.
import type { CheckResult } from '../../src/model/check.js';
import type { Hop } from '../../src/model/hops.js';
import type { ResultDocument } from '../../src/model/result.js';

const CIP = '10.0.0.2';
const VIP = '10.0.0.10';
const RIP = '10.1.1.11';

function check(partial: Partial<CheckResult> & Pick<CheckResult, 'id' | 'question' | 'verdict' | 'summary'>): CheckResult {
  return { title: partial.id, evidence: [], fixes: [], durationMs: 3, ...partial };
}

const seen = (host: string, iface: string, packet: string) => ({ host, iface, status: 'seen' as const, packet });

export function hopsHealthy(): Hop[] {
  return [
    { index: 1, name: 'in', expected: { src: { address: CIP, port: 41234 }, dst: { address: VIP, port: 80 } }, status: 'seen', observations: [seen('director', 'eth0', `IP ${CIP}.41234 > ${VIP}.80: Flags [S], seq 1, win 64240, length 0`)] },
    { index: 2, name: 'in-rewritten', expected: { src: { address: CIP, port: 41234 }, dst: { address: RIP, port: 8080 } }, status: 'seen', observations: [seen('director', 'eth1', `IP ${CIP}.41234 > ${RIP}.8080: Flags [S], seq 1, win 64240, length 0`), seen('rs1', 'eth0', `IP ${CIP}.41234 > ${RIP}.8080: Flags [S], seq 1, win 64240, length 0`)] },
    { index: 3, name: 'reply', expected: { src: { address: RIP, port: 8080 }, dst: { address: CIP, port: 41234 } }, status: 'seen', observations: [seen('rs1', 'eth0', `IP ${RIP}.8080 > ${CIP}.41234: Flags [S.], seq 9, ack 2, win 65160, length 0`), seen('director', 'eth1', `IP ${RIP}.8080 > ${CIP}.41234: Flags [S.], seq 9, ack 2, win 65160, length 0`)] },
    { index: 4, name: 'reply-rewritten', expected: { src: { address: VIP, port: 80 }, dst: { address: CIP, port: 41234 } }, status: 'seen', observations: [seen('director', 'eth0', `IP ${VIP}.80 > ${CIP}.41234: Flags [S.], seq 9, ack 2, win 65160, length 0`)] },
  ];
}

export function hopsReplyRoute(): Hop[] {
  const hops = hopsHealthy();
  hops[2] = {
    ...hops[2],
    status: 'missing',
    observations: [
      { host: 'director', iface: 'eth1', status: 'missing' },
      { host: 'rs1', iface: 'eth0', status: 'missing', instead: [`IP ${RIP}.8080 > ${CIP}.41234: Flags [S.], seq 9, ack 2 (to the router 10.1.1.254, not the director)`] },
    ],
  };
  hops[3] = { ...hops[3], status: 'missing', observations: [{ host: 'director', iface: 'eth0', status: 'missing' }] };
  return hops;
}

const hosts: ResultDocument['hosts'] = [
  { name: 'client', role: 'client', access: 'local', status: 'reachable', probesRun: 2 },
  { name: 'director', role: 'director', access: 'ssh', status: 'reachable', probesRun: 11 },
  { name: 'rs1', role: 'realserver', access: 'ssh', status: 'reachable', probesRun: 6 },
  { name: 'rs2', role: 'realserver', access: 'none', status: 'off-limits', probesRun: 0, reason: 'access none in the inventory' },
];

function counts(checks: CheckResult[]): ResultDocument['countsByQuestion'] {
  const out: ResultDocument['countsByQuestion'] = { setup: {}, 'q1-ping': {}, 'q2-traceroute': {}, 'q3-director': {}, 'q4-realserver': {} };
  for (const c of checks) out[c.question][c.verdict] = (out[c.question][c.verdict] ?? 0) + 1;
  return out;
}

export function healthyResult(): ResultDocument {
  const checks = [
    check({ id: 'setup.virtual-service', question: 'setup', verdict: 'pass', summary: `TCP ${VIP}:80 is a Masq service with 2 realservers` }),
    check({ id: 'q1.ping', question: 'q1-ping', verdict: 'pass', summary: `rs1 pings ${CIP} from ${RIP}` }),
    check({ id: 'q3.test-connection', question: 'q3-director', verdict: 'pass', summary: 'all four hops seen, rewritten as the table says' }),
    check({ id: 'q4.listener', question: 'q4-realserver', verdict: 'skip', summary: 'rs2 is off-limits' }),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'lvs-doctor', version: '0.1.0' },
    verdict: 'ok',
    summary: 'healthy: the test connection was seen at all four hops, rewritten as the table says',
    startedAt: '2026-11-28T00:40:00.000Z',
    durationMs: 1234,
    mode: 'replay',
    service: { protocol: 'TCP', vip: VIP, vport: 80 },
    diagnoses: [],
    checks,
    hops: hopsHealthy(),
    hosts,
    proven: ['hop 1 seen on director eth0', 'hop 4 seen on director eth0'],
    unproven: ['rs2 is off-limits: its own view was not checked'],
    connectionTable: [{ realserver: 'rs1', synRecv: 0, established: 3, other: 1 }],
    countsByQuestion: counts(checks),
  };
}

export function replyRouteResult(): ResultDocument {
  const evidence = [
    { host: 'rs1', command: `ip route get ${CIP} from ${RIP}`, lines: [`${CIP} from ${RIP} via 10.1.1.254 dev eth0 uid 0`, '    cache'], note: 'not via the DIP 10.1.1.1' },
  ];
  const fixes = [{ host: 'rs1', commands: ['ip route replace default via 10.1.1.1'], why: 'replies must go back through the director to be rewritten' }];
  const checks = [
    check({ id: 'setup.virtual-service', question: 'setup', verdict: 'pass', summary: `TCP ${VIP}:80 is a Masq service with 2 realservers` }),
    check({ id: 'q2.route-get', question: 'q2-traceroute', verdict: 'fail', summary: `rs1 routes replies to ${CIP} via 10.1.1.254, not the director`, evidence, fixes, fault: 'realserver.reply-route', faultHosts: ['rs1'], certainty: 1 }),
    check({ id: 'q3.test-connection', question: 'q3-director', verdict: 'fail', summary: 'the SYN+ACK never came back to director eth1', reason: undefined }),
    check({ id: 'q4.listener', question: 'q4-realserver', verdict: 'blocked', summary: 'not evaluated', reason: 'q3.test-connection' }),
    check({ id: 'q4.rs2', question: 'q4-realserver', verdict: 'unknown', summary: 'rs2 | off-limits\nnot probed' }),
  ];
  return {
    ...healthyResult(),
    verdict: 'fail',
    summary: `realserver.reply-route on rs1: rs1 routes replies to ${CIP} via 10.1.1.254, not the director`,
    durationMs: 3456,
    diagnoses: [
      { id: 'realserver.reply-route', severity: 'fail', hosts: ['rs1'], summary: `rs1 routes replies to ${CIP} via 10.1.1.254, not the director`, evidence, fixes, check: 'q2.route-get', certainty: 1 },
      { id: 'director.return-path-stalled', severity: 'warn', hosts: ['director'], summary: 'SYN_RECV entries to rs1, none ESTABLISHED', evidence: [], fixes: [], check: 'q3.conn-table', certainty: 0.8 },
    ],
    checks,
    hops: hopsReplyRoute(),
    proven: ['hop 1 and hop 2 seen'],
    connectionTable: [{ realserver: 'rs1', synRecv: 4, established: 0, other: 0 }, { realserver: 'rs "2"', synRecv: 0, established: 0, other: 0 }],
    countsByQuestion: counts(checks),
  };
}
