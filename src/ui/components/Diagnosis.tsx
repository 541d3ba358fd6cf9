import { Box, Text } from 'ink';
import type { ResultDocument } from '../../model/result.js';
import { formatDuration, nagiosState } from '../../report/verdicts.js';
import { usePaint } from '../theme.js';
import { EvidenceBlock } from './EvidenceBlock.js';
import { consequencesOf, rootDiagnoses } from '../../report/diagnoses.js';

/** A healthy run proves a lot; the screen keeps room for the packet path. */
const PROVEN_SHOWN = 6;

const VERDICT_COLOR: Record<ResultDocument['verdict'], string> = { ok: 'green', warn: 'yellow', fail: 'red', unknown: 'magenta' };

/** Raw lines shown per evidence in the diagnosis; the rest is one enter away in the check list. */
const EVIDENCE_LINES = 4;

/** One line: the verdict as Nagios names it, the run's summary, its duration. */
export function Verdict({ result }: { result: ResultDocument }) {
  const paint = usePaint();
  return (
    <Text wrap="truncate-end">
      <Text color={paint(VERDICT_COLOR[result.verdict])} bold inverse={result.verdict !== 'ok'}>
        {` ${nagiosState(result.verdict)} `}
      </Text>
      <Text bold>{` ${result.summary.replace(/\s*\n\s*/g, ' ')}`}</Text>
      <Text dimColor>{`  ${formatDuration(result.durationMs)}`}</Text>
    </Text>
  );
}

/**
 * Each fault in one sentence and (showFixes) its fixes per host; the first, most certain one
 * with its evidence too (a few raw lines each), so the screen still fits the packet path.
 */
export function Diagnosis({ result, showFixes }: { result: ResultDocument; showFixes: boolean }) {
  const paint = usePaint();
  return (
    <Box flexDirection="column">
      {rootDiagnoses(result).map((d, i) => (
        <Box key={`${d.id}-${i}`} flexDirection="column" marginTop={1}>
          <Box>
            <Box width={3} flexShrink={0}>
              <Text color={paint(d.severity === 'fail' ? 'red' : 'yellow')} bold>{`${i + 1}.`}</Text>
            </Box>
            <Text wrap="wrap">
              <Text color={paint(d.severity === 'fail' ? 'red' : 'yellow')} bold>
                {d.id}
              </Text>
              <Text>{` on ${d.hosts.join(', ') || '?'}: ${d.summary.replace(/\s*\n\s*/g, ' ')}`}</Text>
            </Text>
          </Box>
          {i === 0 ? (
            <EvidenceBlock evidence={d.evidence} indent={3} maxLines={EVIDENCE_LINES} />
          ) : (
            <Text dimColor>{`   evidence: ${d.evidence.length} item(s), enter on check ${d.check}`}</Text>
          )}
          {showFixes &&
            d.fixes.map((f, j) => (
              <Box key={j} flexDirection="column">
                <Text wrap="wrap" color={paint('cyan')}>{`   fix on ${f.host}: ${f.why}`}</Text>
                {f.commands.map((c, k) => (
                  <Text key={k} bold>{`     ${f.host}# ${c}`}</Text>
                ))}
              </Box>
            ))}
          {consequencesOf(result, d).map((c) => (
            <Text key={`explains-${c.id}`} wrap="wrap" dimColor>
              {`   explains ${c.id} on ${c.hosts.join(', ') || '?'} (check ${c.check}): ${c.summary.replace(/\s*\n\s*/g, ' ')}; no fix of its own`}
            </Text>
          ))}
        </Box>
      ))}
      {result.verdict === 'ok' && result.proven.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          {result.proven.slice(0, PROVEN_SHOWN).map((p, i) => (
            <Text key={i} wrap="truncate-end" color={paint('green')}>{`  + ${p}`}</Text>
          ))}
          {result.proven.length > PROVEN_SHOWN && <Text dimColor>{`  + ${result.proven.length - PROVEN_SHOWN} more proven: see the checks below`}</Text>}
        </Box>
      )}
      {result.unproven.map((p, i) => (
        <Text key={i} wrap="truncate-end" color={paint('magenta')}>{`  ? not proven: ${p}`}</Text>
      ))}
      {(result.notes ?? []).map((n, i) => (
        <Text key={`note-${i}`} wrap="truncate-end" dimColor>{`  * note: ${n}`}</Text>
      ))}
    </Box>
  );
}
