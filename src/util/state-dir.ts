// The one directory lvs-doctor keeps state in across runs (the last ok run of each site, the
// applied fixes and their rollback): $LVS_DOCTOR_STATE_DIR, else $XDG_STATE_HOME/lvs-doctor,
// else ~/.local/state/lvs-doctor, as the XDG base directory spec puts state.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LVS_DOCTOR_STATE_DIR) return env.LVS_DOCTOR_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'lvs-doctor');
}
