// net-tools `netstat -rn` / `netstat -r` (Linux): the same table as `route -n` with MSS, Window
// and irtt in place of Metric, Ref and Use; localized titles and headers are accepted.
import type { TextParser } from '../model/parser.js';
import { parseNetToolsRoutes, type NetToolsRouteTable } from './route-n.js';

export interface NetstatRnResult extends NetToolsRouteTable {
  format: 'netstat-rn';
}

export const netstatRnParser: TextParser<NetstatRnResult> = {
  id: 'netstat-rn',
  description: 'net-tools netstat -rn / netstat -r (Linux; localized headers, default/*/names)',
  kind: 'text',
  parse: (text) => ({ format: 'netstat-rn', ...parseNetToolsRoutes(text, 'netstat') }),
};
