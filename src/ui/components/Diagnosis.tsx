import { Text } from 'ink';
import type { ResultDocument } from '../../model/result.js';
import { formatDuration, nagiosState } from '../../report/verdicts.js';
import { usePaint } from '../theme.js';

const VERDICT_COLOR: Record<ResultDocument['verdict'], string> = { ok: 'green', warn: 'yellow', fail: 'red', unknown: 'magenta' };

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
