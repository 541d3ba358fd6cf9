import { Box, Text } from 'ink';
import type { Evidence } from '../../model/check.js';
import { evidenceLines } from '../../report/text.js';
import { uniqueEvidence } from '../../model/check.js';

/** Keeps the command line and the first raw lines; says how many more there are. */
function capped(lines: string[], maxLines: number | undefined): string[] {
  if (maxLines === undefined || lines.length <= maxLines + 1) return lines;
  return [...lines.slice(0, maxLines + 1), `  … ${lines.length - 1 - maxLines} more line(s): enter on the check`];
}

/** Evidence as the text report prints it, wrapped (not cut) under an indent: raw lines must stay whole. */
export function EvidenceBlock({ evidence, indent, maxLines }: { evidence: Evidence[]; indent: number; maxLines?: number }) {
  if (evidence.length === 0) {
    return (
      <Box paddingLeft={indent}>
        <Text dimColor>(no evidence recorded)</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" paddingLeft={indent}>
      {uniqueEvidence(evidence).flatMap((e) => capped(evidenceLines(e, ''), maxLines)).map((line, i) => (
        <Text key={i} wrap="wrap" dimColor={!line.startsWith('evidence ')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
