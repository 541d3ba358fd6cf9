// The installed package's own directory (dist/src/... when built, src/... under vitest), for
// the files it ships next to the code: the sample bundle, bin/lvs-doctor.js.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lvs-doctor') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the lvs-doctor package root');
    dir = parent;
  }
}
