// The whole screen as a pure view of ViewState: finished checks in <Static>, then the live
// part, cut to the terminal's height (src/ui/screen.tsx). While running: progress. After:
// the verdict and the packet path always in view, the diagnoses and checks scrolling below.
import { Box, Static, Text } from 'ink';
import { QUESTION_TITLES } from '../model/check.js';
import { doneLayout, packetPathHeight } from './screen.js';
import { CheckLine } from './components/CheckLine.js';
import { Verdict } from './components/Diagnosis.js';
import { Header, SPINNER } from './components/Header.js';
import { HostProgress } from './components/HostProgress.js';
import { PacketPath } from './components/PacketPath.js';
import { FixPanel } from './components/FixPanel.js';
import { logItems } from './state.js';
import type { ViewState } from './state.js';
import { ColorContext } from './theme.js';

export interface AppProps {
  state: ViewState;
  elapsedMs: number;
  /** Spinner frame counter (advanced by a timer in the live TUI, fixed in tests). */
  tick?: number;
  color?: boolean;
  width?: number;
  /** Terminal rows: the live part never takes more than height - 1 of them. Undefined: no limit. */
  height?: number;
  canRerun?: boolean;
  /** A fix can be applied from here (`f`): a live run with the write path wired in. */
  canFix?: boolean;
}

export function App({ state, elapsedMs, tick = 0, color = true, width = 80, height, canRerun = false, canFix = false }: AppProps) {
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
        {state.status === 'done' && state.result ? (
          <Finished state={state} width={width} height={height} canRerun={canRerun} canFix={canFix} />
        ) : (
          <Running state={state} elapsedMs={elapsedMs} tick={tick} height={height} />
        )}
      </Box>
    </ColorContext.Provider>
  );
}

function Running({ state, elapsedMs, tick, height }: { state: ViewState; elapsedMs: number; tick: number; height: number | undefined }) {
  const titleOf = (id: string) => state.planned.find((p) => p.id === id)?.title ?? id;
  const usable = height === undefined ? Infinity : height - 1;
  const pathFull = state.hops.length > 0 ? packetPathHeight(state.hops, state.hosts, false) : 0;
  const compact = 1 + state.hosts.length + pathFull > usable;
  const path = state.hops.length > 0 ? packetPathHeight(state.hops, state.hosts, compact) : 0;
  const hosts = state.hosts.slice(0, Math.max(1, Math.min(state.hosts.length, usable - 1 - path)));
  const running = state.running.slice(0, Math.max(0, usable - 1 - hosts.length - path));
  return (
    <>
      <Header state={state} elapsedMs={elapsedMs} tick={tick} />
      {running.map((id) => (
        <Text key={id} wrap="truncate-end">{`  ${SPINNER[tick % SPINNER.length]} ${id}  ${titleOf(id)}`}</Text>
      ))}
      <HostProgress hosts={hosts} />
      {state.hops.length > 0 && 1 + hosts.length + path <= usable && <PacketPath hops={state.hops} hosts={state.hosts} compact={compact} />}
    </>
  );
}

function Finished({ state, width, height, canRerun, canFix }: { state: ViewState; width: number; height: number | undefined; canRerun: boolean; canFix: boolean }) {
  const result = state.result!;
  if (state.fix) {
    return (
      <>
        <Verdict result={result} />
        <FixPanel panel={state.fix} width={width} />
      </>
    );
  }
  const layout = doneLayout(state, result, width, height);
  const shown = layout.body.rows.slice(layout.offset, layout.offset + layout.bodyHeight);
  const last = layout.offset + shown.length;
  return (
    <>
      <Verdict result={result} />
      <Text>{' '}</Text>
      <PacketPath hops={result.hops} hosts={result.hosts} compact={layout.compact} {...(result.mode === 'replay' ? { recordedAt: result.startedAt } : {})} />
      {shown.map((r) => r.node)}
      {layout.scrolls && (
        <Text dimColor wrap="truncate-end">
          {`── ${layout.offset + 1}-${last} of ${layout.body.rows.length} rows${layout.offset > 0 ? '  b/PgUp ▲' : ''}${last < layout.body.rows.length ? '  space/PgDn ▼' : ''} ──`}
        </Text>
      )}
      <Text dimColor wrap="truncate-end">
        {`↑↓/jk move  enter evidence${canFix ? '  f fix' : ''}  s ${state.showFixes ? 'hide' : 'show'} fixes  c print fixes${canRerun ? '  r re-run' : ''}  q quit`}
      </Text>
    </>
  );
}
