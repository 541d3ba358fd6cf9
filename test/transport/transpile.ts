// Child processes in lab tests run plain node: the sources are transpiled (types dropped,
// nothing checked) into a temporary tree that resolves node_modules through a symlink.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = new URL('../../', import.meta.url).pathname;

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

export async function transpileSources(outDir: string): Promise<void> {
  for await (const file of tsFiles(join(ROOT, 'src'))) {
    const out = join(outDir, relative(ROOT, file)).replace(/\.tsx?$/, '.js');
    const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX, esModuleInterop: true },
    });
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
  }
  await writeFile(join(outDir, 'package.json'), JSON.stringify({ name: 'lvs-doctor', version: '0.0.0-test', type: 'module' }));
  await symlink(join(ROOT, 'node_modules'), join(outDir, 'node_modules'));
}
