import { Box, Text } from 'ink';
import type { CheckResult } from '../../model/check.js';
import { checkMark } from '../../report/verdicts.js';
import { VERDICT_COLOR, usePaint } from '../theme.js';
import { EvidenceBlock } from './EvidenceBlock.js';

/** One finished check: its mark and one line; with `expanded`, its evidence under it. */
export function CheckLine({ check, selected = false, expanded = false }: { check: CheckResult; selected?: boolean; expanded?: boolean }) {
  const paint = usePaint();
  const reason = !check.reason ? '' : check.verdict === 'blocked' ? ` (blocked by ${check.reason})` : ` (${check.reason})`;
  const explained = check.explainedBy ? ` (a consequence: explained by ${check.explainedBy})` : '';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text>{selected ? '›' : ' '}</Text>
        <Text color={paint(VERDICT_COLOR[check.verdict])} bold>
          {` ${checkMark(check.verdict)} `}
        </Text>
        <Text inverse={selected}>{check.id}</Text>
        <Text>{`  ${check.summary.replace(/\s*\n\s*/g, ' ')}${reason}${explained}`}</Text>
      </Text>
      {expanded && <EvidenceBlock evidence={check.evidence} indent={6} />}
    </Box>
  );
}
