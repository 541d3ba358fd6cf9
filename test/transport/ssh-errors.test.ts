import { describe, expect, it } from 'vitest';
import { classifySshError } from '../../src/transport/ssh-errors.js';

// Messages as OpenSSH 9.2 prints them.
describe('classifySshError', () => {
  it.each([
    ['ssh: connect to host 10.9.0.2 port 22: Connection refused', 'unreachable'],
    ['ssh: connect to host 10.9.0.2 port 22: No route to host', 'unreachable'],
    ['ssh: Could not resolve hostname nosuch: Name or service not known', 'unreachable'],
    ['ssh: connect to host 10.9.0.2 port 22: Connection timed out', 'timeout'],
    ['root@10.9.0.2: Permission denied (publickey).', 'auth'],
    ['Host key verification failed.', 'host-key'],
    ['@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.', 'host-key'],
    ['No ED25519 host key is known for rs1 and you have requested strict checking.\nHost key verification failed.', 'host-key'],
    ['ipvsadm: command not found', null],
  ])('%s -> %s', (text, kind) => {
    expect(classifySshError(text)).toBe(kind);
  });
});
