import { Box, Text } from 'ink';
import type { Hop } from '../../model/hops.js';
import { packetPathRows, pathMark, realserverName } from '../../report/packet-path.js';
import { pathDetails } from '../screen.js';
import type { NamedHost, PathRow, PathRowState } from '../../report/packet-path.js';
import { PATH_COLOR, usePaint } from '../theme.js';

function Arrow({ row, right }: { row: PathRow | undefined; right: boolean }) {
  const paint = usePaint();
  const state: PathRowState = row?.state ?? 'not-captured';
  const n = row?.index ?? '?';
  // Without colour the shape still tells: ✗ where the packet did not arrive, dots where it never got.
  const line = state === 'seen' ? '──' : '┄┄';
  const head = state === 'broken' ? '✗' : right ? '▶' : '◀';
  const text = right ? `${line}${n}${line}${head}` : `${head}${line}${n}${line}`;
  return (
    <Text color={paint(PATH_COLOR[state])} bold={state === 'broken'}>
      {text}
    </Text>
  );
}

/** Julian's Q.3 picture: client -> director ext | int -> realserver and back, hop by hop. */
export function PacketPath({ hops, hosts, compact = false, recordedAt }: { hops: Hop[]; hosts: NamedHost[]; compact?: boolean; recordedAt?: string }) {
  const paint = usePaint();
  if (hops.length === 0) {
    return <Text dimColor>{'  Packet path: no test connection was judged'}</Text>;
  }
  const rows = packetPathRows(hops, hosts);
  const byIndex = (i: number) => rows.find((r) => r.index === i);
  const rs = realserverName(hops, hosts).padEnd(8);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Packet path of the test connection</Text>
        {recordedAt ? <Text dimColor>{` (recorded ${recordedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')})`}</Text> : null}
      </Text>
      <Text>
        {'   client '}
        <Arrow row={byIndex(1)} right />
        {' ext [director] int '}
        <Arrow row={byIndex(2)} right />
        {` ${rs}`}
      </Text>
      <Text>
        {'   client '}
        <Arrow row={byIndex(4)} right={false} />
        {' ext [director] int '}
        <Arrow row={byIndex(3)} right={false} />
        {` ${rs}`}
      </Text>
      {rows.map((row) => {
        const color = paint(PATH_COLOR[row.state]);
        const broken = row.state === 'broken';
        const { where, instead } = pathDetails(row, compact);
        return (
          <Box key={row.index} flexDirection="column">
            <Text wrap="truncate-end" color={broken ? color : undefined} bold={broken}>
              <Text color={color}>{` ${pathMark(row.state)} ${row.index} `}</Text>
              {`${row.leg.padEnd(24)} ${row.expected}`}
            </Text>
            {where.map((line, i) => (
              <Text key={`w${i}`} wrap="truncate-end" color={broken && line.startsWith('NOT') ? color : undefined} dimColor={!broken}>
                {`       ${line}`}
              </Text>
            ))}
            {instead.map((line, i) => (
              <Text key={i} wrap="truncate-end" color={paint(row.instead.length ? 'red' : 'gray')} bold={row.instead.length > 0}>
                {`       instead: ${line}`}
              </Text>
            ))}
          </Box>
        );
      })}
    </Box>
  );
}
