// `ip -o link`: one interface per line,
// `IDX: NAME[@PEER]: <FLAGS> mtu N qdisc Q [master M] state S mode M group G qlen N\    link/TYPE MAC brd MAC [link-netns NS]`.
// The ifindex is what pcap SLL2 captures carry; the name is what everything else prints.
import { ParseError } from '../model/parse-error.js';
import { contentLines, type NumberedLine } from './lines.js';
import type { TextParser } from '../model/parser.js';

export interface IpLink {
  ifindex: number;
  ifname: string;
  /** After '@': the peer/parent, e.g. 'if7' for a veth whose peer is ifindex 7 in another netns, or 'eth0' for a VLAN. */
  peer: string | null;
  flags: string[];
  up: boolean;
  lowerUp: boolean;
  mtu: number;
  qdisc: string | null;
  master: string | null;
  state: string | null;
  mode: string | null;
  group: string | null;
  qlen: number | null;
  linkType: string;
  mac: string | null;
  brd: string | null;
  linkNetns: string | null;
  linkNetnsid: number | null;
  other: Record<string, string>;
  line: number;
}

export interface IpLinkResult {
  format: 'ip-link';
  links: IpLink[];
}

const headKeys = new Set(['qdisc', 'master', 'state', 'mode', 'group', 'qlen', 'link-netnsid', 'event', 'protodown', 'alias']);

function parseLinkLine(line: NumberedLine): IpLink {
  const m = /^(\d+):\s+([^\s:@]+)(?:@([^\s:]+))?:\s+<([A-Z0-9_,-]*)>\s+mtu\s+(\d+)\s*(.*?)\\\s+(link\/\S+)(.*)$/.exec(line.text);
  if (!m) throw new ParseError("expected an 'ip -o link' line 'IDX: NAME: <FLAGS> mtu N ... \\    link/TYPE ...'", line.no, line.text);
  const flags = m[4] === '' ? [] : m[4].split(',');
  const link: IpLink = {
    ifindex: Number(m[1]), ifname: m[2], peer: m[3] ?? null, flags, up: flags.includes('UP'), lowerUp: flags.includes('LOWER_UP'),
    mtu: Number(m[5]), qdisc: null, master: null, state: null, mode: null, group: null, qlen: null,
    linkType: m[7].slice('link/'.length), mac: null, brd: null, linkNetns: null, linkNetnsid: null, other: {}, line: line.no,
  };
  const head = m[6].trim() === '' ? [] : m[6].trim().split(/\s+/);
  for (let i = 0; i < head.length; i += 2) {
    const key = head[i];
    const value = head[i + 1];
    if (!headKeys.has(key) || value === undefined) throw new ParseError(`unknown link attribute '${key}'`, line.no, line.text);
    if (key === 'qdisc') link.qdisc = value;
    else if (key === 'master') link.master = value;
    else if (key === 'state') link.state = value;
    else if (key === 'mode') link.mode = value;
    else if (key === 'group') link.group = value;
    else if (key === 'qlen') link.qlen = Number(value);
    else if (key === 'link-netnsid') link.linkNetnsid = Number(value);
    else link.other[key] = value;
    if (key === 'qlen' && !/^\d+$/.test(value)) throw new ParseError('expected a number after qlen', line.no, line.text);
  }
  const tail = m[8].trim() === '' ? [] : m[8].trim().split(/\s+/);
  let i = 0;
  if (tail[0] !== undefined && /^[0-9a-f]{2}(:[0-9a-f]{2})+$|^[0-9.]+$|^[0-9a-f:]+$/.test(tail[0])) link.mac = tail[i++];
  for (; i < tail.length; i += 2) {
    const key = tail[i];
    const value = tail[i + 1];
    if (value === undefined) throw new ParseError(`expected a value after '${key}'`, line.no, line.text);
    if (key === 'brd') link.brd = value;
    else if (key === 'peer') link.other.peer = value;
    else if (key === 'link-netns') link.linkNetns = value;
    else if (key === 'link-netnsid') {
      if (!/^\d+$/.test(value)) throw new ParseError('expected a number after link-netnsid', line.no, line.text);
      link.linkNetnsid = Number(value);
    } else if (key === 'permaddr' || key === 'alias' || key === 'altname') link.other[key] = value;
    else throw new ParseError(`unknown link-layer attribute '${key}'`, line.no, line.text);
  }
  return link;
}

export function parseIpLink(text: string): IpLinkResult {
  return { format: 'ip-link', links: contentLines(text).map(parseLinkLine) };
}

export const ipLinkParser: TextParser<IpLinkResult> = {
  id: 'ip-link',
  description: 'ip -o link [show]: ifindex, name, @peer, flags, mtu, state, MAC',
  kind: 'text',
  parse: parseIpLink,
};
