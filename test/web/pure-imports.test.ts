/**
 * The console imports the library's pure modules instead of copying them (the built-in policy
 * table, the batch split, the statistics): this follows every value import from web/src into
 * src/ and checks that what the browser bundle pulls in has no Node import, and that the shared
 * modules are really the ones used.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = path.join(ROOT, 'web', 'src');
const NODE = new Set(builtinModules);

/** The module specifiers of a source file that survive type erasure (value imports and re-exports). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) if (!m[1]) out.push(m[2]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  return out;
}

function bundled(): { files: Set<string>; nodeImports: string[] } {
  const files = new Set<string>();
  const nodeImports: string[] = [];
  const queue = readdirSync(WEB).filter((f) => f.endsWith('.ts')).map((f) => path.join(WEB, f));
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('node:') || NODE.has(spec.split('/')[0]!)) nodeImports.push(`${path.relative(ROOT, file)} → ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (target.endsWith('.ts') && existsSync(target)) queue.push(target);
    }
  }
  return { files, nodeImports };
}

test('the console bundles the pure modules of src/ and nothing that needs Node', () => {
  const { files, nodeImports } = bundled();
  assert.deepEqual(nodeImports, []);
  const fromSrc = [...files].map((f) => path.relative(ROOT, f).split(path.sep).join('/')).filter((f) => f.startsWith('src/')).sort();
  for (const shared of ['src/env/actions.ts', 'src/policies/builtin.ts', 'src/eval/stats.ts', 'src/eval/aubc.ts']) assert.ok(fromSrc.includes(shared), `${shared} not imported: ${fromSrc.join(', ')}`);
  // No copy left behind in the console.
  assert.equal(existsSync(path.join(WEB, 'policies.ts')), false);
});

test('the import scan sees value imports and skips type-only ones', () => {
  const { files } = bundled();
  // play.ts imports the policy table by value; types.ts only types from the protocol module.
  assert.ok(files.has(path.join(ROOT, 'src', 'policies', 'builtin.ts')));
  assert.equal(files.has(path.join(ROOT, 'src', 'protocol', 'wire.ts')), false, 'wire.ts is imported for its types only');
});
