import { defineProbe, SHORT_MS } from './define.js';
import type { ProbeCommand } from './probe.js';

export function nftRuleset(): ProbeCommand {
  return defineProbe({ argv: ['nft', 'list', 'ruleset'], parser: 'nft', timeoutMs: SHORT_MS, needsRoot: true, linuxOnly: true });
}
