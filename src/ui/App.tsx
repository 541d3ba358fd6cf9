// The whole screen as a pure view of ViewState: finished checks in <Static>, then the live
// part (progress while running; the diagnosis, the packet path and the check list after).
import { Box, Static, Text } from 'ink';
import { QUESTION_TITLES } from '../model/check.js';
import { CheckLine } from './components/CheckLine.js';
import { Diagnosis, Verdict } from './components/Diagnosis.js';
import { Header, SPINNER } from './components/Header.js';
import { HostProgress } from './components/HostProgress.js';
import { PacketPath } from './components/PacketPath.js';
import { logItems, navigableChecks } from './state.js';
import type { ViewState } from './state.js';
import { ColorContext } from './theme.js';

export interface AppProps {
  state: ViewState;
  elapsedMs: number;
  /** Spinner frame counter (advanced by a timer in the live TUI, fixed in tests). */
  tick?: number;
  color?: boolean;
  width?: number;
  canRerun?: boolean;
}

export function App({ state, elapsedMs, tick = 0, color = true, width = 80, canRerun = false }: AppProps) {
  const titleOf = (id: string) => state.planned.find((p) => p.id === id)?.title ?? id;
  const list = navigableChecks(state);
  const done = state.status === 'done' && state.result !== null;
  return (
    <ColorContext.Provider value={color}>
      <Static key={state.runCount} items={logItems(state.finished)}>
        {(item, i) =>
          <Box key={i} width={width}>
            {item.kind === 'question' ? (
              <Text bold wrap="truncate-end">
                {QUESTION_TITLES[item.question]}
              </Text>
            ) : (
              <CheckLine check={item.check} />
            )}
          </Box>
        }
      </Static>
      <Box flexDirection="column" width={width}>
        <Header state={state} elapsedMs={elapsedMs} tick={tick} />
        {!done && (
          <>
            {state.running.map((id) => (
              <Text key={id} wrap="truncate-end">{`  ${SPINNER[tick % SPINNER.length]} ${id}  ${titleOf(id)}`}</Text>
            ))}
            <HostProgress hosts={state.hosts} />
            {state.hops.length > 0 && <PacketPath hops={state.hops} hosts={state.hosts} />}
          </>
        )}
        {done && state.result && (
          <>
            <Box marginTop={1} flexDirection="column">
              <Verdict result={state.result} />
            </Box>
            <Box marginTop={1} flexDirection="column">
              <PacketPath hops={state.result.hops} hosts={state.result.hosts} />
            </Box>
            <Diagnosis result={state.result} showFixes={state.showFixes} />
            <Box marginTop={1} flexDirection="column">
              <Text bold>{list.some((c) => c.verdict !== 'pass' && c.verdict !== 'skip') ? 'Checks to look at' : 'Checks'}</Text>
              {list.map((c, i) => (
                <CheckLine key={c.id} check={c} selected={i === state.cursor} expanded={state.expanded.includes(c.id)} />
              ))}
            </Box>
            <Text dimColor wrap="truncate-end">
              {`↑↓/jk move  enter evidence  f ${state.showFixes ? 'hide' : 'show'} fixes  c print fixes${canRerun ? '  r re-run' : ''}  q quit`}
            </Text>
          </>
        )}
      </Box>
    </ColorContext.Provider>
  );
}
