// Small outputs that only probes read (no fixture-worthy format): the registry in
// src/parsers/index.ts is searched first, these fill in the ids it does not have.
import { ParseError } from '../model/parse-error.js';
import type { TextParser } from '../model/parser.js';

export interface UnameResult { system: string; release: string; linux: boolean }

export const unameParser: TextParser<UnameResult> = {
  id: 'uname',
  description: 'uname -s -r',
  kind: 'text',
  parse(text) {
    const line = text.trim();
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) throw new ParseError("expected 'SYSTEM RELEASE'", 1, line);
    return { system: m[1], release: m[2], linux: m[1] === 'Linux' };
  },
};

export const hostnameParser: TextParser<{ hostname: string }> = {
  id: 'hostname',
  description: 'hostname',
  kind: 'text',
  parse(text) {
    const line = text.trim();
    if (!/^[A-Za-z0-9._-]+$/.test(line)) throw new ParseError('expected one host name', 1, line);
    return { hostname: line };
  },
};

export interface KernelModule { name: string; size: number; usedBy: string[] }

export const procModulesParser: TextParser<{ modules: KernelModule[] }> = {
  id: 'proc-modules',
  description: 'cat /proc/modules',
  kind: 'text',
  parse(text) {
    const modules = text.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      const m = /^(\S+) (\d+) (\d+) (\S+) /.exec(line);
      if (!m) throw new ParseError("expected 'NAME SIZE REFCOUNT USERS STATE ADDRESS'", i + 1, line);
      return [{ name: m[1], size: Number(m[2]), usedBy: m[4] === '-' ? [] : m[4].split(',').filter(Boolean) }];
    });
    return { modules };
  },
};

export const toolsParser: TextParser<{ available: string[]; paths: Record<string, string> }> = {
  id: 'tools',
  description: "command -v for each tool (src/probes/tools.ts)",
  kind: 'text',
  parse(text) {
    const paths: Record<string, string> = {};
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      // `command -v` prints a path for a program, the bare name for a builtin.
      const m = /^(?:\/[^\s]*\/)?([^/\s]+)$/.exec(line.trim());
      if (!m) throw new ParseError('expected a path from command -v', i + 1, line);
      paths[m[1]] = line.trim();
    });
    return { available: Object.keys(paths).sort(), paths };
  },
};

export const ownParsers: TextParser[] = [unameParser, hostnameParser, procModulesParser, toolsParser];
