// Every check of the graph, in question order. A test fails when a file under checks/ is not
// listed here, so a new check cannot be forgotten.
import type { Check } from './ids.js';
import { balancerPresent } from './setup/balancer-present.js';
import { virtualService } from './setup/virtual-service.js';
import { masqForwarding } from './setup/masq-forwarding.js';
import { weights } from './setup/weights.js';
import { vipLocal } from './setup/vip-local.js';
import { ipForward } from './setup/ip-forward.js';
import { ftpHelper } from './setup/ftp-helper.js';
import { clientNotDirector } from './setup/client-not-director.js';
import { snatReroute } from './setup/snat-reroute.js';
import { directorReachesRealservers } from './q1-ping/director-reaches-realservers.js';
import { realserverPingsClient } from './q1-ping/realserver-pings-client.js';
import { replyRoute } from './q2-traceroute/reply-route.js';
import { directorRedirects } from './q2-traceroute/director-redirects.js';
import { redirectCache } from './q2-traceroute/redirect-cache.js';
import { requestReachesDirector } from './q3-director/request-reaches-director.js';
import { requestForwarded } from './q3-director/request-forwarded.js';
import { replyReturns } from './q3-director/reply-returns.js';
import { replyRewritten } from './q3-director/reply-rewritten.js';
import { untranslatedLeak } from './q3-director/untranslated-leak.js';
import { connectionTable } from './q3-director/connection-table.js';
import { connReuse } from './setup/conn-reuse.js';
import { expireNodest } from './setup/expire-nodest.js';
import { vsConntrack } from './setup/vs-conntrack.js';
import { directRip } from './q3-director/direct-rip.js';
import { fwmark } from './q3-director/fwmark.js';
import { realserverAnswers } from './q4-realserver/realserver-answers.js';
import { listener } from './q4-realserver/listener.js';
import { ripPresent } from './q4-realserver/rip-present.js';

export const CHECKS: readonly Check[] = [
  balancerPresent,
  virtualService,
  masqForwarding,
  weights,
  vipLocal,
  ipForward,
  ftpHelper,
  clientNotDirector,
  snatReroute,
  connReuse,
  expireNodest,
  vsConntrack,
  directorReachesRealservers,
  realserverPingsClient,
  replyRoute,
  directorRedirects,
  redirectCache,
  requestReachesDirector,
  requestForwarded,
  replyReturns,
  replyRewritten,
  untranslatedLeak,
  connectionTable,
  directRip,
  fwmark,
  realserverAnswers,
  listener,
  ripPresent,
];
