import { readFileSync } from 'node:fs';

// Read once from package.json so a bundle records the exact tool version that made it.
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lvs-doctor' && pkg.version) return pkg.version;
    } catch {
      // try the next location: src/ in tests, dist/src/ when built
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = readVersion();
