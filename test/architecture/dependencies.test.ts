// The layers of the house: which folder may import which. Every relative import in src/ and
// checks/ is read (static, `export ... from` and dynamic `import()`), and an arrow the table
// does not allow fails, as does any cycle between folders. Arrows point down only: a lower
// layer never learns about the one above it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = normalize(join(new URL('../../', import.meta.url).pathname));

/** Folder -> the folders it may import (besides itself). `version` is src/version.ts, a leaf. */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  version: [],
  model: ['util'],
  pcap: ['model', 'util'],
  parsers: ['model', 'util', 'pcap'],
  transport: ['model', 'util', 'version'],
  probes: ['model', 'util', 'parsers', 'transport'],
  director: ['model', 'util', 'parsers'],
  facts: ['model', 'util', 'parsers', 'director', 'probes'],
  engine: ['model', 'util', 'parsers', 'pcap', 'probes', 'transport', 'facts', 'version'],
  checks: ['model', 'util', 'parsers', 'director', 'facts', 'engine'],
  discover: ['model', 'util', 'parsers', 'director', 'probes', 'transport'],
  explain: ['model', 'util', 'parsers', 'facts', 'engine', 'checks', 'report'],
  // The write path (--fix, rollback): its own folder, so the probes below it stay read-only.
  fix: ['model', 'util', 'parsers', 'probes', 'transport', 'engine'],
  report: ['model', 'util'],
  ui: ['model', 'util', 'report'],
  baseline: ['model', 'util', 'parsers', 'director', 'transport', 'discover', 'engine', 'checks', 'explain', 'report', 'version'],
  commands: ['model', 'util', 'parsers', 'transport', 'discover', 'engine', 'checks', 'explain', 'report', 'ui', 'version', 'baseline', 'fix'],
  lab: ['util', 'commands'],
  // cli imports lab/cli.js for `lvs-doctor lab` (always did; a literal import() since the bundle, so now seen).
  cli: ['commands', 'report', 'version', 'lab'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** src/<folder>/..., src/<file>.ts (its name), or checks/... */
function folderOf(file: string): string {
  const parts = relative(root, file).split('/');
  if (parts[0] === 'checks') return 'checks';
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.(js|tsx?)$/, '');
}

function relativeImports(text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1]!);
  return specs;
}

interface Arrow {
  from: string;
  to: string;
  file: string;
}

function arrows(): Arrow[] {
  const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'checks'))];
  return files.flatMap((file) =>
    relativeImports(readFileSync(file, 'utf8'))
      .map((spec) => ({ from: folderOf(file), to: folderOf(normalize(join(dirname(file), spec))), file: relative(root, file) }))
      .filter((a) => a.from !== a.to),
  );
}

/** The folders on a cycle of `edges`, or [] (depth-first search with a path stack). */
function findCycle(edges: Map<string, Set<string>>): string[] {
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (n: string): string[] => {
    const at = stack.indexOf(n);
    if (at >= 0) return [...stack.slice(at), n];
    if (done.has(n)) return [];
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const cycle = visit(m);
      if (cycle.length) return cycle;
    }
    stack.pop();
    done.add(n);
    return [];
  };
  for (const n of edges.keys()) {
    const cycle = visit(n);
    if (cycle.length) return cycle;
  }
  return [];
}

describe('dependency rules between folders', () => {
  const all = arrows();

  it('reads the imports (the walk found the engine -> facts arrow)', () => {
    expect(all.some((a) => a.from === 'engine' && a.to === 'facts')).toBe(true);
  });

  it('every folder is in the table', () => {
    const unknown = [...new Set(all.flatMap((a) => [a.from, a.to]))].filter((f) => !(f in ALLOWED));
    expect(unknown).toEqual([]);
  });

  it('no arrow the table forbids', () => {
    const forbidden = all.filter((a) => !ALLOWED[a.from]?.includes(a.to)).map((a) => `${a.file}: ${a.from} -> ${a.to}`);
    expect(forbidden).toEqual([]);
  });

  it('no cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const a of all) edges.set(a.from, (edges.get(a.from) ?? new Set()).add(a.to));
    expect(findCycle(edges)).toEqual([]);
  });

  it('the table itself has no cycle (so it cannot bless one)', () => {
    const edges = new Map(Object.entries(ALLOWED).map(([k, v]) => [k, new Set(v)]));
    expect(findCycle(edges)).toEqual([]);
  });

  it('findCycle finds a cycle of three', () => {
    const edges = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(findCycle(edges)).toEqual(['a', 'b', 'c', 'a']);
  });
});
