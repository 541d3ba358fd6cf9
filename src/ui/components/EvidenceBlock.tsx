import { Box, Text } from 'ink';
import type { Evidence } from '../../model/check.js';
import { evidenceLines, uniqueEvidence } from '../../report/text.js';

/** Evidence as the text report prints it, wrapped (not cut) under an indent: raw lines must stay whole. */
export function EvidenceBlock({ evidence, indent }: { evidence: Evidence[]; indent: number }) {
  if (evidence.length === 0) {
    return (
      <Box paddingLeft={indent}>
        <Text dimColor>(no evidence recorded)</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" paddingLeft={indent}>
      {uniqueEvidence(evidence).flatMap((e) => evidenceLines(e, '')).map((line, i) => (
        <Text key={i} wrap="wrap" dimColor={!line.startsWith('evidence ')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
