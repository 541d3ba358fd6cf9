// "Did my fix work?" on the lab: a realserver routing around the director fails the run; the
// run made at once after the fix must be ok. Two fixes: the lab's own revert (which also
// clears the director's conntrack entries for the VIP when it re-pins the service), and the
// operator's (only the route put back on rs1), after which the failed connections' entries
// are still on the director, SYN_SENT [UNREPLIED] for up to 120 s: history, reported as
// notes, never the diagnosis. rs1's SYN+ACK retransmissions would turn those entries into
// replied ones at a moment that depends on timing, so the test turns them off on rs1
// (tcp_synack_retries=0 in its namespace): the entries then stay half-open, as IPVS keeps its
// SYN_RECV entries (fixtures/captures/ipvs-vm, job vs).
import { describe, expect, it } from 'vitest';
import { labSkipReason } from '../lab/helpers.js';
import { freshLab, labDiagnose } from './lab-diagnose.js';
import { injectFault, labExec, planLab, revertFault } from '../../src/lab/index.js';
import type { ResultDocument } from '../../src/model/result.js';

const PREFIX = 'ic';
const skip = labSkipReason(PREFIX);

const diagnose = (flags: string[]): ResultDocument => labDiagnose(PREFIX, flags);

const summary = (r: ResultDocument): string => JSON.stringify({ verdict: r.verdict, diagnoses: r.diagnoses.map((d) => `${d.id} on ${d.hosts.join(',')}: ${d.summary}`), notes: r.notes });

async function onRs1(argv: string[]): Promise<void> {
  const r = await labExec(PREFIX, 'rs1', argv);
  expect(r.exitCode, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
}

describe.skipIf(skip !== null)(`the first run after a fix${skip ? ` (skipped: ${skip})` : ''}`, () => {
  freshLab(PREFIX);

  it('realserver.reply-route injected fails; right after `lab fault --revert` the run is ok', async () => {
    await injectFault(PREFIX, 'realserver.reply-route');
    let reverted = false;
    try {
      const broken = diagnose([]);
      expect(broken.verdict, summary(broken)).toBe('fail');
      expect(broken.diagnoses[0]?.id).toBe('realserver.reply-route');
      await revertFault(PREFIX, 'realserver.reply-route');
      reverted = true;
      const fixed = diagnose([]);
      expect(fixed.verdict, summary(fixed)).toBe('ok');
      expect(fixed.diagnoses).toEqual([]);
    } finally {
      if (!reverted) await revertFault(PREFIX, 'realserver.reply-route');
    }
  }, 300_000);

  for (const mode of [[], ['--director-only']]) {
    it(`the operator puts rs1's route back: the next run is ok, the failed run's entries are notes${mode.length ? ' (director-only)' : ''}`, async () => {
      const dip = planLab(PREFIX, 3).dip;
      await onRs1(['sysctl', '-qw', 'net.ipv4.tcp_synack_retries=0']);
      await injectFault(PREFIX, 'realserver.reply-route');
      try {
        const broken = diagnose(mode);
        expect(broken.verdict, summary(broken)).toBe('fail');
        expect(broken.diagnoses[0]?.id).toBe(mode.length ? 'director.return-path-stalled' : 'realserver.reply-route');
        await onRs1(['ip', 'route', 'replace', 'default', 'via', dip]);
        const fixed = diagnose(mode);
        expect(fixed.verdict, summary(fixed)).toBe('ok');
        expect(fixed.diagnoses).toEqual([]);
        expect(fixed.checks.find((c) => c.id === 'q3.connection-table')?.verdict).toBe('pass');
        expect(fixed.notes?.join('\n') ?? '', summary(fixed)).toMatch(/conntrack -L: \d+ half-open entr(y|ies) to rs1 from earlier connections.*SYN_SENT UNREPLIED \d+ s left/);
      } finally {
        await revertFault(PREFIX, 'realserver.reply-route');
        await onRs1(['sysctl', '-qw', 'net.ipv4.tcp_synack_retries=5']);
      }
    }, 300_000);
  }
});
