// Every check id of the graph, declared once: a check's id, its needs and the results it reads
// from `deps` are of this type, so a misspelt or unknown id fails to compile.
// test/checks/index.test.ts holds this list to the ids of CHECKS.
import type { CheckDefinition } from '../src/engine/check-definition.js';

export const CHECK_IDS = [
  'setup.balancer-present',
  'setup.virtual-service',
  'setup.masq-forwarding',
  'setup.weights',
  'setup.vip-local',
  'setup.ip-forward',
  'setup.ftp-helper',
  'setup.client-not-director',
  'setup.snat-reroute',
  'setup.conn-reuse-mode',
  'setup.expire-nodest',
  'setup.vs-conntrack',
  'q1.director-reaches-realservers',
  'q1.realserver-pings-client',
  'q2.reply-route',
  'q2.director-redirects',
  'q2.redirect-cache',
  'q3.request-reaches-director',
  'q3.request-forwarded',
  'q3.reply-returns',
  'q3.reply-rewritten',
  'q3.untranslated-leak',
  'q3.connection-table',
  'q3.direct-rip',
  'q3.fwmark',
  'q4.realserver-answers',
  'q4.listener',
  'q4.rip-present',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** A check of this graph: CheckDefinition with its ids typed. */
export type Check = CheckDefinition<CheckId>;
