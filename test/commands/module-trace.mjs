// Preloaded with `node --import` by startup-modules.test.ts: writes every module file the process
// loads to $LVS_DOCTOR_MODULE_TRACE, one per line (and the node: builtins ES modules import). ES modules through a load hook (it runs in
// the loader's thread, hence appendFileSync), CommonJS ones from require's cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.LVS_DOCTOR_MODULE_TRACE;
register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, new URL(url).pathname + '\\n');
  return next(url, context);
}
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('node:')) appendFileSync(${JSON.stringify(out)}, r.url + '\\n');
  return r;
}`)}`,
);
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(out, Object.keys(require.cache).map((f) => `${f}\n`).join('')));
