#!/usr/bin/env node
// Checks that imports in src/ point down: fails (exit 1) when
//   (a) a file outside src/cli/ (in src/ or bench/) imports from src/cli/,
//   (b) files import each other in a cycle (any length, type-only imports included),
//   (c) the top-level parts of src/ (folders, and files directly in src/) import each other in a cycle.
// Imports are read with the TypeScript parser (static, `export ... from`, dynamic `import()`), so
// comments and strings do not count. Run it as `node scripts/check-layers.mjs`; `npm test` runs it
// first. `--graph` also prints which top-level part imports which.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');
const cli = join(src, 'cli');

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return collect(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The .ts file a relative ESM specifier ('./x.js', '../y/index.js') names, or undefined. */
function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function importsOf(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter((f) => f !== undefined);
}

/** Strongly connected components with more than one member or a self-edge (Tarjan). */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), idx.get(w)));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? new Set()).has(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** One shortest path from a back to a inside an SCC, to show a concrete cycle. */
function exampleCycle(graph, members) {
  const inScc = new Set(members);
  const start = members[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inScc.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return members;
}

const rel = (p) => relative(root, p).split(sep).join('/');
const inside = (p, dir) => p === dir || p.startsWith(dir + sep);
/** The top-level part of src/ a file belongs to: its first folder, or the file itself. */
const part = (p) => relative(src, p).split(sep)[0].replace(/\.ts$/, '');

const problems = [];
const srcFiles = collect(src);
const fileGraph = new Map();
for (const file of [...srcFiles, ...collect(join(root, 'bench'))]) {
  const deps = importsOf(file);
  for (const dep of deps) {
    if (!inside(file, cli) && inside(dep, cli)) problems.push(`${rel(file)} imports ${rel(dep)} (nothing outside src/cli/ may import src/cli/)`);
  }
  if (inside(file, src)) fileGraph.set(file, new Set(deps.filter((d) => inside(d, src))));
}

for (const scc of cycles(fileGraph)) {
  problems.push(`import cycle between files: ${exampleCycle(fileGraph, scc).map(rel).join(' -> ')}` + (scc.length > 2 ? ` (${scc.length} files in the cycle)` : ''));
}

const partGraph = new Map();
const partEdges = new Map(); // 'a -> b' -> one example import, to name in the report
for (const [file, deps] of fileGraph) {
  const a = part(file);
  if (!partGraph.has(a)) partGraph.set(a, new Set());
  for (const dep of deps) {
    const b = part(dep);
    if (a === b) continue;
    partGraph.get(a).add(b);
    if (!partEdges.has(`${a} -> ${b}`)) partEdges.set(`${a} -> ${b}`, `${rel(file)} imports ${rel(dep)}`);
  }
}
for (const scc of cycles(partGraph)) {
  const path = exampleCycle(partGraph, scc);
  const why = path.slice(1).map((b, i) => `  ${partEdges.get(`${path[i]} -> ${b}`)}`);
  problems.push(`import cycle between parts of src/: ${path.join(' -> ')}\n${why.join('\n')}`);
}

if (process.argv.includes('--graph')) {
  for (const [a, deps] of [...partGraph].sort()) console.log(`${a} -> ${[...deps].sort().join(', ') || '(nothing)'}`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`check-layers: ${p}`);
  console.error(`check-layers: ${problems.length} problem(s) in ${srcFiles.length} files under src/`);
  process.exit(1);
}
console.log(`check-layers: ${srcFiles.length} files under src/, ${partGraph.size} top-level parts: no import of src/cli/ from outside it, no cycle between files or parts`);
