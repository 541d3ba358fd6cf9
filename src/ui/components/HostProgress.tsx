import { Box, Text } from 'ink';
import type { HostProgress as Progress } from '../state.js';
import { usePaint } from '../theme.js';

const BAR = 10;

function bar(done: number, started: number): string {
  if (started === 0) return '·'.repeat(BAR);
  const filled = Math.round((done / started) * BAR);
  return '█'.repeat(filled) + '░'.repeat(BAR - filled);
}

/** Per-host probe progress while the run goes: done/started, failures, what runs now. */
export function HostProgress({ hosts }: { hosts: Progress[] }) {
  const paint = usePaint();
  return (
    <Box flexDirection="column">
      {hosts.map((h) => (
        <Text key={h.name} wrap="truncate-end">
          <Text>{`  ${h.name.padEnd(10).slice(0, 10)} `}</Text>
          <Text color={paint(h.failed ? 'yellow' : 'cyan')}>{bar(h.done, h.started)}</Text>
          <Text>{` ${String(h.done).padStart(2)}/${String(h.started).padEnd(2)}`}</Text>
          {h.access === 'none' ? <Text dimColor>{' off-limits'}</Text> : null}
          {h.failed ? <Text color={paint('yellow')}>{` ${h.failed} failed`}</Text> : null}
          {h.current ? <Text dimColor>{` ${h.current}`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
