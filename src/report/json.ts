// `--json`: the result document as the public contract (schema/result.v1.json).
import type { ResultDocument } from '../model/result.js';

export function toJson(result: ResultDocument): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
