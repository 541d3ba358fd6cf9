// The one table of `ssh -o` options: what the transport gives every ssh it starts, by what the
// connection is for. The benchmark's floor scripts take theirs from here too, so the floor
// speaks the same ssh as the doctor.

export type SshOptions = Record<string, string>;

/** Every ssh: never prompt (a password prompt would hang a probe). */
export const NON_INTERACTIVE: SshOptions = { BatchMode: 'yes' };

/** Keepalives: a dead peer is noticed within about 10 s, not at the TCP timeout. */
export const KEEPALIVE: SshOptions = { ServerAliveInterval: '5', ServerAliveCountMax: '2' };

/** A command's own session over an open master (never becomes a master itself). */
export const SESSION: SshOptions = { ControlMaster: 'no' };

/** A master that backgrounds itself and stays `persistSec` after its last session. */
export function master(persistSec: number): SshOptions {
  return { ControlMaster: 'yes', ControlPersist: String(persistSec) };
}

/** The options of every connection of the transport, in the order it has always given them. */
export function connectionOptions(o: { controlPath: string; connectTimeoutSec: number; acceptNewHostKeys?: boolean }): SshOptions {
  return {
    ...NON_INTERACTIVE,
    ControlPath: o.controlPath,
    ConnectTimeout: String(o.connectTimeoutSec),
    ...KEEPALIVE,
    ...(o.acceptNewHostKeys ? { StrictHostKeyChecking: 'accept-new' } : {}),
  };
}

/** `-o Key=value` pairs, as argv. */
export function optionArgs(...tables: SshOptions[]): string[] {
  return tables.flatMap((t) => Object.entries(t).flatMap(([k, v]) => ['-o', `${k}=${v}`]));
}
