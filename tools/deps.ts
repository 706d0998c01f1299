/**
 * The module dependency picture: which folders of the repository import which, read from the
 * import statements (static `import`/`export … from`, `import type`, dynamic `import('…')`).
 *
 *   node tools/deps.ts            the picture: folder → folders it imports (with counts), the
 *                                 packages each folder uses, line counts, and any broken rule
 *   node tools/deps.ts --json     the same as one JSON document
 *   node tools/deps.ts --check    only the broken rules; exit 1 when there is one
 *
 * A folder ("group") is `src/<name>` for the library (src/index.ts is `src`), and `test`, `bench`,
 * `tools`, `bin`, `web` (the console's sources, web/src) for the rest. The layering rules the
 * project keeps are in RULES below; test/tools/deps.test.ts runs them on every `npm test`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The trees read, relative to the repository root. */
export const TREES = ['src', 'test', 'bench', 'tools', 'bin', 'web/src'] as const;

export interface ModuleFile {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  group: string;
  lines: number;
  /** Every specifier the file imports, as written. */
  specifiers: string[];
}

export interface Edge {
  from: string;
  to: string;
  /** One import statement: the importing file and what it names. */
  file: string;
  specifier: string;
}

export interface Graph {
  files: ModuleFile[];
  /** Imports between groups of the repository (a group importing itself is not listed). */
  edges: Edge[];
  /** group → package (`node:` builtins as `node:x`) → number of importing statements. */
  packages: Map<string, Map<string, number>>;
}

/** The group a repository file belongs to (`src/env/x.ts` → `src/env`). */
export function groupOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : 'src';
  if (parts[0] === 'web') return 'web';
  return parts[0];
}

/** `node:fs/promises` → `node:fs`; `@scope/pkg/sub` → `@scope/pkg`; `pkg/sub` → `pkg`. */
export function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier.split('/')[0];
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
}

/** Every import specifier in a source text (comments and strings are not mistaken for imports). */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** Reads the trees below `root` and builds the graph. */
export function readGraph(root: string = ROOT): Graph {
  const paths: string[] = [];
  for (const tree of TREES) {
    try {
      walk(path.join(root, tree), paths);
    } catch {
      // a tree that is absent (e.g. in a packed copy) has no imports
    }
  }
  const files: ModuleFile[] = [];
  const edges: Edge[] = [];
  const packages = new Map<string, Map<string, number>>();
  for (const full of paths.sort()) {
    const file = path.relative(root, full).split(path.sep).join('/');
    const text = readFileSync(full, 'utf8');
    const group = groupOf(file);
    const specifiers = importsOf(text);
    files.push({ file, group, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), specifiers });
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        const to = groupOf(target);
        if (to !== group) edges.push({ from: group, to, file, specifier });
      } else {
        const name = packageOf(specifier);
        const m = packages.get(group) ?? new Map<string, number>();
        m.set(name, (m.get(name) ?? 0) + 1);
        packages.set(group, m);
      }
    }
  }
  return { files, edges, packages };
}

/** group → group → number of import statements. */
export function matrix(edges: readonly Edge[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const e of edges) {
    const m = out.get(e.from) ?? new Map<string, number>();
    m.set(e.to, (m.get(e.to) ?? 0) + 1);
    out.set(e.from, m);
  }
  return out;
}

/** The cycles between groups: each strongly connected set of two or more groups, sorted. */
export function groupCycles(edges: readonly Edge[]): string[][] {
  const adj = matrix(edges);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  // Tarjan's algorithm
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(adj.get(v)?.keys() ?? [])].sort()) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

export interface Rule {
  name: string;
  /** The groups the rule speaks of. */
  applies: (group: string) => boolean;
  /** A repository group it must not import. */
  forbidsGroup?: (to: string) => boolean;
  /** A package it must not import (`node:fs`, `fastify`, …). */
  forbidsPackage?: (pkg: string) => boolean;
}

const TRANSPORT = new Set(['src/server', 'src/client', 'src/cli', 'src/agent', 'src/eval', 'src/replay', 'src/export', 'src/validate']);
const NOT_LIBRARY = new Set(['test', 'bench', 'tools', 'bin', 'web']);

/** The layering the project keeps. */
export const RULES: readonly Rule[] = [
  {
    name: 'the environment core (src/env, src/numerics) knows no transport: it imports nothing from server, client, cli, agent, eval, replay, export, validate',
    applies: (g) => g === 'src/env' || g === 'src/numerics',
    forbidsGroup: (to) => TRANSPORT.has(to) || to === 'src',
  },
  {
    name: 'the environment core imports no server or client framework',
    applies: (g) => g === 'src/env' || g === 'src/numerics',
    forbidsPackage: (p) => ['fastify', 'ws', 'commander', 'pg', 'openai', 'prom-client'].includes(p) || p.startsWith('@fastify/'),
  },
  {
    name: 'src/protocol imports no Node module (the web console bundles it)',
    applies: (g) => g === 'src/protocol',
    forbidsPackage: (p) => p.startsWith('node:') || ['fastify', 'ws', 'commander', 'pg'].includes(p),
  },
  {
    name: 'src/protocol imports nothing from the transports',
    applies: (g) => g === 'src/protocol',
    forbidsGroup: (to) => TRANSPORT.has(to) || to === 'src',
  },
  {
    name: 'src/api (the Environment contract and ClientError) imports only the environment core and the protocol',
    applies: (g) => g === 'src/api',
    forbidsGroup: (to) => to !== 'src/env' && to !== 'src/protocol' && to !== 'src/numerics',
  },
  {
    name: 'the server does not depend on the CLI (its start, signals and shutdown are its own)',
    applies: (g) => g === 'src/server',
    forbidsGroup: (to) => to === 'src/cli' || to === 'src/agent',
    forbidsPackage: (p) => p === 'commander',
  },
  {
    name: 'the library (src/) imports nothing from test, bench, tools, bin or the console',
    applies: (g) => g === 'src' || g.startsWith('src/'),
    forbidsGroup: (to) => NOT_LIBRARY.has(to),
  },
  {
    name: 'test and bench do not import each other',
    applies: (g) => g === 'test' || g === 'bench',
    forbidsGroup: (to) => (to === 'test' || to === 'bench'),
  },
];

export interface Violation {
  rule: string;
  file: string;
  specifier: string;
}

/** Every import that breaks a rule, plus one entry per cycle between groups. */
export function violations(graph: Graph, rules: readonly Rule[] = RULES): Violation[] {
  const out: Violation[] = [];
  for (const rule of rules) {
    for (const e of graph.edges) {
      if (rule.applies(e.from) && rule.forbidsGroup?.(e.to)) out.push({ rule: rule.name, file: e.file, specifier: e.specifier });
    }
    if (!rule.forbidsPackage) continue;
    for (const f of graph.files) {
      if (!rule.applies(f.group)) continue;
      for (const s of f.specifiers) {
        if (!s.startsWith('.') && rule.forbidsPackage(packageOf(s))) out.push({ rule: rule.name, file: f.file, specifier: s });
      }
    }
  }
  for (const cycle of groupCycles(graph.edges.filter((e) => e.from.startsWith('src')))) {
    out.push({ rule: 'no import cycle between folders of src/', file: cycle.join(' ↔ '), specifier: '' });
  }
  return out;
}

/** Lines per group. */
export function lineCounts(graph: Graph): Map<string, { files: number; lines: number }> {
  const out = new Map<string, { files: number; lines: number }>();
  for (const f of graph.files) {
    const c = out.get(f.group) ?? { files: 0, lines: 0 };
    c.files++;
    c.lines += f.lines;
    out.set(f.group, c);
  }
  return new Map([...out].sort((a, b) => a[0].localeCompare(b[0])));
}

function report(graph: Graph): string {
  const lines: string[] = [];
  const m = matrix(graph.edges);
  const counts = lineCounts(graph);
  lines.push('folder → folders it imports (import statements)');
  for (const [group] of counts) {
    const to = m.get(group);
    const list = to ? [...to].sort((a, b) => a[0].localeCompare(b[0])).map(([g, n]) => `${g} (${n})`).join(', ') : '—';
    lines.push(`  ${group.padEnd(14)} → ${list}`);
  }
  lines.push('', 'packages by folder');
  for (const [group] of counts) {
    const p = graph.packages.get(group);
    if (!p) continue;
    lines.push(`  ${group.padEnd(14)} ${[...p.keys()].sort().join(', ')}`);
  }
  lines.push('', 'line counts');
  let total = 0;
  for (const [group, c] of counts) {
    lines.push(`  ${group.padEnd(14)} ${String(c.lines).padStart(6)} lines in ${c.files} files`);
    total += c.lines;
  }
  lines.push(`  ${'total'.padEnd(14)} ${String(total).padStart(6)} lines in ${graph.files.length} files`);
  const cycles = groupCycles(graph.edges);
  lines.push('', `cycles between folders: ${cycles.length ? cycles.map((c) => c.join(' ↔ ')).join('; ') : 'none'}`);
  const v = violations(graph);
  lines.push('', `broken rules: ${v.length || 'none'}`);
  for (const x of v) lines.push(`  ${x.file}${x.specifier ? ` imports ${x.specifier}` : ''}: ${x.rule}`);
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = readGraph();
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const v = violations(graph);
    for (const x of v) console.log(`${x.file}${x.specifier ? ` imports ${x.specifier}` : ''}: ${x.rule}`);
    process.exitCode = v.length ? 1 : 0;
  } else if (args.includes('--json')) {
    const m = matrix(graph.edges);
    console.log(JSON.stringify({
      imports: Object.fromEntries([...m].map(([g, to]) => [g, Object.fromEntries(to)])),
      packages: Object.fromEntries([...graph.packages].map(([g, p]) => [g, Object.fromEntries(p)])),
      lines: Object.fromEntries(lineCounts(graph)),
      cycles: groupCycles(graph.edges),
      violations: violations(graph),
    }, null, 2));
  } else {
    console.log(report(graph));
  }
}
