#!/usr/bin/env node
// The package ships compiled JavaScript (built by `npm pack`/`npm publish` through `prepack`,
// never on a user's install). A source checkout has no dist/ after `npm ci`: build it once here,
// so `npm ci && node bin/lvs-doctor.js ...` works on a fresh clone.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 lets the young generation grow to 2 x 16 MiB when a run allocates fast (a hundred hosts'
// outputs arriving and parsed at once), and keeps it: a third of the doctor's resident memory
// with 100 realservers. Kept at its first size, the 100-realserver run is ~28 MiB smaller for
// no more CPU (BENCHMARKS.md, "Memory"). Read by V8 at each growth, so set here, first.
setFlagsFromString('--semi-space-growth-factor=1');

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../tsconfig.json', import.meta.url))) || !existsSync(tsc)) {
    process.stderr.write('lvs-doctor: not built and no TypeScript to build it; run `npm ci` (or `npm run build`) in the package directory\n');
    process.exit(70);
  }
  process.stderr.write('lvs-doctor: first run from a source checkout: building dist/ (npm run build)...\n');
  // Imported here only: loading node:child_process costs every start (--version, replay) ~10-25 ms.
  const { spawnSync } = await import('node:child_process');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0 || !existsSync(fileURLToPath(entry))) {
    process.stderr.write('lvs-doctor: the build failed; run `npm run build` to see why\n');
    process.exit(70);
  }
}
// The bundle (scripts/bundle.mjs, made by `npm run build` after tsc) starts faster: a few files
// instead of ~480 modules. Only when it was made from this dist/: a `tsc` alone leaves it older
// than dist/src/cli.js, and then the fresh unbundled tree runs rather than stale code.
const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
const mtime = (url) => statSync(fileURLToPath(url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
await import(mtime(bundle) >= mtime(entry) ? bundle.href : entry.href);
