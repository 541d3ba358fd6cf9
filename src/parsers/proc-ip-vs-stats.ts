// Parser id `proc-ip-vs-stats`: /proc/net/ip_vs_stats (ip_vs_stats_show in ip_vs_ctl.c), the
// totals over all services, every number in hex:
//      Total Incoming Outgoing         Incoming         Outgoing
//      Conns  Packets  Packets            Bytes            Bytes
//   "%8LX %8LX %8LX %16LX %16LX"
//   <blank>
//    Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s
//   "%8LX %8LX %8LX %16LX %16LX"
// Values are converted to numbers; past 2^53 (9 PB of bytes) they lose precision.
import type { TextParser } from '../model/parser.js';
import { contentLines, type NumberedLine } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { fields, normalised } from './ipvsadm-common.js';

export interface ProcIpVsStats {
  format: 'proc-ip-vs-stats';
  totals: { conns: number; inPkts: number; outPkts: number; inBytes: number; outBytes: number };
  /** The kernel's estimated rates per second. */
  rates: { cps: number; inPps: number; outPps: number; inBps: number; outBps: number };
}

const HEADER = ['Total Incoming Outgoing Incoming Outgoing', 'Conns Packets Packets Bytes Bytes'];
const RATE_HEADER = 'Conns/s Pkts/s Pkts/s Bytes/s Bytes/s';

export function parseProcIpVsStats(text: string): ProcIpVsStats {
  const lines = contentLines(text);
  const expectLine = (index: number, wanted: string): void => {
    const line = lines[index];
    if (!line || normalised(line.text) !== wanted) {
      throw new ParseError(`expected '${wanted}'`, line?.no ?? (lines.length > 0 ? lines[lines.length - 1].no : 0), line?.text);
    }
  };
  expectLine(0, HEADER[0]);
  expectLine(1, HEADER[1]);
  const totals = hexRow(lines[2], lines);
  expectLine(3, RATE_HEADER);
  const rates = hexRow(lines[4], lines);
  const extra = lines[5];
  if (extra) throw new ParseError('expected nothing after the rates line', extra.no, extra.text);
  return {
    format: 'proc-ip-vs-stats',
    totals: { conns: totals[0], inPkts: totals[1], outPkts: totals[2], inBytes: totals[3], outBytes: totals[4] },
    rates: { cps: rates[0], inPps: rates[1], outPps: rates[2], inBps: rates[3], outBps: rates[4] },
  };
}

function hexRow(line: NumberedLine | undefined, lines: NumberedLine[]): number[] {
  if (!line) throw new ParseError('expected five hex counters', lines.length > 0 ? lines[lines.length - 1].no : 0);
  const f = fields(line.text);
  if (f.length !== 5 || !f.every((v) => /^[0-9A-F]{1,16}$/i.test(v))) throw new ParseError('expected five hex counters', line.no, line.text);
  return f.map((v) => Number(BigInt(`0x${v}`)));
}

export const procIpVsStatsParser: TextParser<ProcIpVsStats> = {
  id: 'proc-ip-vs-stats',
  description: '/proc/net/ip_vs_stats: IPVS totals and rates (hex)',
  kind: 'text',
  parse: parseProcIpVsStats,
};
