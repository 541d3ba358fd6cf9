// Reads a real fixture of the director-rule and configuration parsers by parser id and file name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function fixtureText(parserId: string, file: string): string {
  return readFileSync(join(import.meta.dirname, '../../fixtures/parsers', parserId, file), 'utf8');
}
