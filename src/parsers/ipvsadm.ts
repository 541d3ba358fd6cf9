// Parser id `ipvsadm`: every form ipvsadm prints, told apart by its first line, since one
// probe may run -Ln, -Lnc, -S or --timeout and the doctor must never guess:
//   "IP Virtual Server version ..." / "Prot LocalAddress:Port ..."  -> service table (ipvsadm-listing.ts)
//   "IPVS connection entries"                                       -> -Lnc (ipvsadm-connections.ts)
//   "-A ..." / "-a ..."                                             -> -S rules (ipvsadm-save.ts)
//   "Timeout (tcp tcpfin udp): ..."                                 -> --timeout
//   "master|backup sync daemon (...)"                               -> --daemon
//   an ipvsadm error message ("Can't initialize ipvs: ...", "No such service", ...) -> a typed error
// Feed it stdout, or stdout and stderr together (2>&1): errors go to stderr.
import type { TextParser } from '../model/parser.js';
import { contentLines } from './lines.js';
import { ParseError } from '../model/parse-error.js';
import { isHeaderlessServiceLine, isListingStart, parseHeaderlessListing, parseListing, type IpvsadmListing } from './ipvsadm-listing.js';
import { CONNECTIONS_TITLE, isConnectionRow, parseConnections, parseHeaderlessConnections, type IpvsadmConnections } from './ipvsadm-connections.js';
import { isSaveLine, parseSave, type IpvsadmSave } from './ipvsadm-save.js';
import {
  isDaemonLine,
  isTimeoutLine,
  parseDaemon,
  parseError,
  parseTimeout,
  type IpvsadmDaemon,
  type IpvsadmError,
  type IpvsadmTimeout,
} from './ipvsadm-status.js';
import { normalised } from './ipvsadm-common.js';

export type { IpvsadmListing, IpvsadmService, IpvsadmDestination, IpvsTraffic, IpvsRate, IpvsadmListingVariant } from './ipvsadm-listing.js';
export type { IpvsadmConnections, IpvsadmConnection } from './ipvsadm-connections.js';
export type { IpvsadmSave, IpvsadmSaveService, IpvsadmSaveDestination } from './ipvsadm-save.js';
export type { IpvsadmTimeout, IpvsadmDaemon, IpvsSyncDaemon, IpvsadmError, IpvsadmErrorKind } from './ipvsadm-status.js';
export type { IpvsEndpoint, IpvsCounter, AbbreviatedCounter } from './ipvsadm-common.js';

/**
 * ipvsadm printed nothing: `-S` of an empty table, or `--daemon` with no sync daemon. (`-Ln`
 * always prints its title lines, so an empty -Ln is a listing with no services, not this.)
 */
export interface IpvsadmEmpty {
  format: 'ipvsadm-empty';
}

export type IpvsadmResult = IpvsadmListing | IpvsadmConnections | IpvsadmSave | IpvsadmTimeout | IpvsadmDaemon | IpvsadmError | IpvsadmEmpty;

export function parseIpvsadm(text: string): IpvsadmResult {
  const all = contentLines(text);
  // A rules file for `ipvsadm -R` may carry `#` comment lines, which ipvsadm skips.
  const uncommented = all.filter((l) => !l.text.trimStart().startsWith('#'));
  const lines = uncommented.length < all.length && uncommented[0] && isSaveLine(uncommented[0].text) ? uncommented : all;
  const first = lines[0];
  if (!first) return { format: 'ipvsadm-empty' };
  const error = parseError(lines);
  if (error) return error;
  if (isListingStart(first.text)) return parseListing(lines);
  if (normalised(first.text) === CONNECTIONS_TITLE) return parseConnections(lines);
  if (isSaveLine(first.text)) return parseSave(lines);
  if (isTimeoutLine(first.text)) return parseTimeout(lines);
  if (isDaemonLine(first.text)) return parseDaemon(lines);
  // grep fragments: no title lines, but rows whose columns say which listing they come from.
  if (isConnectionRow(first.text)) return parseHeaderlessConnections(lines);
  if (isHeaderlessServiceLine(first.text)) return parseHeaderlessListing(lines);
  throw new ParseError(
    "expected ipvsadm output: 'IP Virtual Server version ...', 'Prot LocalAddress:Port ...', 'IPVS connection entries', '-A ...', 'Timeout (tcp tcpfin udp): ...', a sync daemon line, an ipvsadm error message, or title-less rows ('TCP VIP:PORT rr', 'TCP 00:59 SYN_RECV ...')",
    first.no,
    first.text,
  );
}

export const ipvsadmParser: TextParser<IpvsadmResult> = {
  id: 'ipvsadm',
  description: 'ipvsadm -Ln/-L (also --stats, --rate, --exact, --thresholds, --persistent-conn, --tun-info), -Lnc, -S, --timeout, --daemon, and its error messages',
  kind: 'text',
  parse: parseIpvsadm,
};
