// A command name looked up in PATH once, as execvp would, so that each ssh the doctor starts
// execs its file directly: execvp in the forked child tries every PATH entry before it (nine
// failed execve on the machine measured), while the doctor's thread waits for that exec.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The first executable regular file called `name` in `path` (execvp's order; an empty entry is
 * the current directory), or `name` itself when it has a '/' or nothing is found (the spawn then
 * fails as it would have).
 */
export function resolveCommand(name: string, path: string | undefined = process.env.PATH): string {
  if (name.includes('/') || !path) return name;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate.startsWith('/') ? candidate : join(process.cwd(), candidate);
    } catch {
      // Not there, or not executable: execvp goes on to the next entry too.
    }
  }
  return name;
}
