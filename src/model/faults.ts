// The public fault ids of ../shared/FAULTS.md. Add ids; never rename one.

export const FAULT_IDS = [
  'director.ipvs-unavailable',
  'director.no-virtual-service',
  'director.vip-not-local',
  'director.ip-forward-off',
  'director.not-masq',
  'director.no-weight',
  'director.send-redirects',
  'director.rp-filter',
  'director.firewall-drop',
  'director.untranslated-leak',
  'director.snat-reroute',
  'director.ftp-helper-missing',
  'director.direct-rip-unreachable',
  'director.return-path-stalled',
  'director.conn-reuse-stall',
  'director.expire-nodest-off',
  'director.vs-conntrack-off',
  'realserver.unreachable',
  'realserver.reply-route',
  'realserver.onlink-client',
  'realserver.redirect-accepted',
  'realserver.no-listener',
  'realserver.firewall-reject',
  'realserver.silent-drop',
  'realserver.rip-missing',
  'client.is-director',
  'client.no-route-to-vip',
  'client.fwmark-unmarked',
] as const;

export type FaultId = (typeof FAULT_IDS)[number];

export function isFaultId(value: string): value is FaultId {
  return (FAULT_IDS as readonly string[]).includes(value);
}
