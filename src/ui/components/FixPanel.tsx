// The fix of the selected diagnosis (`f`): the exact commands per host, what is saved for the
// rollback, then the confirmation and the verification. Its lines come from the write path,
// already escaped; the panel only wraps and colours them.
import { Box, Text } from 'ink';
import type { FixPanel as Panel } from '../state.js';
import { usePaint } from '../theme.js';

const PROMPT: Record<Panel['phase'], string> = {
  planning: 'reading the current state on the hosts (nothing is changed)...',
  confirm: 'type y to apply these commands, any other key to cancel',
  applying: 'applying, then re-running the diagnosis to verify...',
  done: 'any key to close',
};

function colorOf(line: string): string | undefined {
  if (/now OK|fixed and verified/.test(line)) return 'green';
  if (/refused|rolled back|ROLLBACK INCOMPLETE|-> exit/.test(line)) return 'red';
  return undefined;
}

export function FixPanel({ panel, width }: { panel: Panel; width: number }) {
  const paint = usePaint();
  return (
    <Box flexDirection="column" width={width} borderStyle="single" paddingX={1}>
      {panel.lines.length === 0 && <Text bold>{`fix ${panel.diagnosis}`}</Text>}
      {panel.lines.map((line, i) => (
        <Text key={i} wrap="wrap" {...(colorOf(line) ? { color: paint(colorOf(line)!) } : {})}>
          {line}
        </Text>
      ))}
      <Text bold={panel.phase === 'confirm'} {...(panel.phase === 'confirm' ? { color: paint('yellow') } : {})}>
        {PROMPT[panel.phase]}
      </Text>
    </Box>
  );
}
