// What to do when a host could not be reached, from the transport's reason ("host-key: ...",
// "auth: ...", the kinds of transport.ts). On a first run the cause and the next step must
// come first: an unknown host key is not a broken director.

import type { HostStatus, ResultDocument } from './result.js';

const CHANGED_KEY = /REMOTE HOST IDENTIFICATION HAS CHANGED/i;

/** The cause in a few words, for the first line of a report. */
export function accessCause(reason: string): string {
  const kind = /^([a-z-]+):/.exec(reason)?.[1];
  switch (kind) {
    case 'host-key':
      return CHANGED_KEY.test(reason) ? 'its ssh host key changed' : 'its ssh host key is not known yet (first contact)';
    case 'auth':
      return 'ssh refused the login';
    case 'timeout':
      return 'ssh timed out';
    case 'unreachable':
      return 'ssh could not connect';
    case 'no-access':
      return /sudo/i.test(reason) ? 'sudo refused the probe commands' : 'it may not be probed';
    default:
      return 'it did not answer';
  }
}

/** The next step for a reason, or undefined when there is nothing better than reading it. */
export function accessHint(reason: string): string | undefined {
  const kind = /^([a-z-]+):/.exec(reason)?.[1];
  switch (kind) {
    case 'host-key':
      return CHANGED_KEY.test(reason)
        ? 'find out why the key changed before trusting it (then ssh-keygen -R HOST); --accept-new-host-keys does not accept a changed key'
        : 'check the key (ssh-keyscan HOST, or ssh to it once yourself), then run again with --accept-new-host-keys';
    case 'auth':
      return 'check --user and --identity (or your ssh agent) for this host';
    case 'timeout':
    case 'unreachable':
      return 'check the address and that sshd listens; --jump HOST if it is reached through a bastion, --connect-timeout SEC on a slow link';
    case 'no-access':
      return /sudo/i.test(reason) ? 'allow the probe commands with passwordless sudo (or connect as root)' : undefined;
    default:
      return undefined;
  }
}

const ROLE_ORDER: Record<HostStatus['role'], number> = { director: 0, client: 1, realserver: 2 };

/** Hosts that could not be reached, the director first (without it nothing else can be judged). */
export function unreachedHosts(result: Pick<ResultDocument, 'hosts'>): HostStatus[] {
  return result.hosts.filter((h) => h.status === 'unreachable').sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
}
