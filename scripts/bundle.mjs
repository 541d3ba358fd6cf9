// Bundles the compiled CLI (dist/src/cli.js, from tsc) and the packages it imports into a few
// files under dist/bundle/, which bin/lvs-doctor.js runs when they are newer than dist/src/cli.js.
// Why: a live run loads ~480 module files (execa ~140, yaml ~70, ours ~190); resolving, reading
// and compiling them one by one was most of the start-up (BENCHMARKS.md, start-up). Each command's
// lazy import() stays a chunk of its own, so --version, parse and replay still load only theirs.
// Run by `npm run build` and `prepack` after tsc; dist/src/ stays the tested, traced tree.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });
await build({
  input: { cli: `${root}dist/src/cli.js` },
  platform: 'node',
  // Ink's devtools, imported only when DEV=true, need a package we do not ship.
  external: [/^node:/, 'react-devtools-core'],
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
  logLevel: 'warn',
});
