// ESLint rule: no import cycle between the project's own TypeScript files, `import type` and
// `export ... from` included. import-x/no-cycle skips type-only imports, yet a cycle of them
// still ties the modules together (AppDeps once made 8 files import each other through app.ts).
// The graph is read with TypeScript's pre-processor (relative specifiers only), once per lint run.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

const edges = new Map();

/** The project files a file imports: relative `.js` specifiers mapped to their `.ts` source. */
function importsOf(file) {
  let out = edges.get(file);
  if (out) return out;
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  out = importedFiles
    .map((i) => i.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
    .filter((f) => f.endsWith('.ts') && existsSync(f));
  edges.set(file, out);
  return out;
}

/** A path of imports from `start` back to `file`, or undefined. */
function pathBack(file, start) {
  const seen = new Set();
  const walk = (at, trail) => {
    if (at === file) return trail;
    if (seen.has(at)) return undefined;
    seen.add(at);
    for (const next of importsOf(at)) {
      const found = walk(next, [...trail, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

export default {
  meta: { type: 'problem', docs: { description: 'no import cycle, type-only imports included' }, schema: [] },
  create(context) {
    const file = resolve(context.filename);
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) return;
      const cycle = pathBack(file, target);
      if (cycle) context.report({ node, message: `import cycle: ${[file, ...cycle].map((f) => relative(process.cwd(), f)).join(' -> ')}` });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
