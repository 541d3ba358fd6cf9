import { Text } from 'ink';
import { formatDuration } from '../../report/verdicts.js';
import type { ViewState } from '../state.js';
import { usePaint } from '../theme.js';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Title line: service, a spinner and the phase while running, elapsed time. */
export function Header({ state, elapsedMs, tick }: { state: ViewState; elapsedMs: number; tick: number }) {
  const paint = usePaint();
  const s = state.service;
  const service = s ? `${s.protocol} ${s.vip}:${s.vport}` : '';
  const activity =
    state.status === 'waiting'
      ? 'starting'
      : state.status === 'running'
        ? `${state.phase ?? 'starting'}${state.phaseDetail ? `: ${state.phaseDetail}` : ''}`
        : 'done';
  return (
    <Text wrap="truncate-end">
      <Text bold>lvs-doctor</Text>
      <Text>{`  ${service}  `}</Text>
      {state.status === 'done' ? null : <Text color={paint('cyan')}>{`${SPINNER[tick % SPINNER.length]} `}</Text>}
      <Text>{activity}</Text>
      <Text dimColor>{`  ${formatDuration(elapsedMs)}`}</Text>
    </Text>
  );
}
