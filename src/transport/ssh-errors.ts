// OpenSSH says why it failed only in text on stderr (exit 255). These are its real messages.
import type { TransportErrorKind } from './transport.js';

const RULES: [RegExp, TransportErrorKind][] = [
  [/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No (ED25519|ECDSA|RSA|DSA)? ?host key is known/i, 'host-key'],
  [/Permission denied \(|Too many authentication failures|Authentication failed/, 'auth'],
  [/Connection timed out|Operation timed out|timed out during banner exchange|Timeout, server .* not responding/, 'timeout'],
  [/Connection refused|No route to host|Could not resolve hostname|Name or service not known|Network is unreachable|Connection closed by|Connection reset|closed by remote host|kex_exchange_identification|Broken pipe|client_loop: send disconnect/, 'unreachable'],
];

/** Classifies ssh's own error text; null when the text is not an ssh failure. */
export function classifySshError(stderr: string): TransportErrorKind | null {
  for (const [pattern, kind] of RULES) if (pattern.test(stderr)) return kind;
  return null;
}

const SUDO_REFUSED = /sudo: (a password is required|a terminal is required|.* is not in the sudoers file|sorry, you must have a tty)/;

export function isSudoRefusal(stderr: string): boolean {
  return SUDO_REFUSED.test(stderr);
}

/** The last meaningful line, for an error message that fits in one line. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? 'no message';
}
