// Shared by the lab test files: why a lab test must skip, and small wire helpers.
import { execFileSync } from 'node:child_process';

/** null when network namespaces can be made here; otherwise the reason to skip. */
export function labSkipReason(prefix: string): string | null {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, sshd, netfilter)';
  const probe = `${prefix}-nsprobe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (error) {
    return `cannot create network namespaces here: ${(error as Error).message.split('\n')[0]}`;
  }
  for (const tool of ['/usr/sbin/sshd', '/usr/bin/socat', '/usr/bin/tcpdump', '/usr/sbin/conntrack']) {
    try {
      execFileSync('test', ['-x', tool]);
    } catch {
      return `${tool} is missing (see .ci/run for the Debian packages the lab needs)`;
    }
  }
  return null;
}

export function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regexp built from literal addresses: `wire('IP ', rip, '.80 > ')`. */
export function wire(...parts: string[]): RegExp {
  return new RegExp(parts.map(escapeRe).join(''));
}

export function anyLine(lines: string[], re: RegExp): boolean {
  return lines.some((l) => re.test(l));
}

/** One line matching both: the packet seen carries both properties. */
export function both(lines: string[], a: RegExp, b: RegExp): boolean {
  return lines.some((l) => a.test(l) && b.test(l));
}
