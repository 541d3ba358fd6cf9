#!/usr/bin/env node
// The package ships compiled JavaScript; `npm ci` builds it through the `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('lvs-doctor: not built yet; run `npm ci` (or `npm run build`) in the package directory\n');
  process.exit(70);
}
await import(entry.href);
