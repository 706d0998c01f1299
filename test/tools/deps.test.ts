import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type Edge, type Graph, groupCycles, groupOf, importsOf, packageOf, readGraph, violations } from '../../tools/deps.ts';

function edge(file: string, specifier: string): Edge {
  return { from: groupOf(file), to: groupOf(path.posix.join(path.posix.dirname(file), specifier)), file, specifier };
}

function graphOf(files: Record<string, string[]>): Graph {
  const g: Graph = { files: [], edges: [], packages: new Map() };
  for (const [file, specifiers] of Object.entries(files)) {
    g.files.push({ file, group: groupOf(file), lines: 1, specifiers });
    for (const s of specifiers) {
      if (!s.startsWith('.')) continue;
      const e = edge(file, s);
      if (e.from !== e.to) g.edges.push(e);
    }
  }
  return g;
}

describe('module dependency picture (tools/deps.ts)', () => {
  it('reads static, type-only, re-export and dynamic imports, and not the ones in comments or strings', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n} from '../b/b.ts';",
      "export { c } from './c.ts';",
      "const d = await import('node:fs');",
      "// import { e } from './e.ts';",
      "const s = \"import { f } from './f.ts'\";",
    ].join('\n');
    assert.deepEqual(importsOf(text).sort(), ['../b/b.ts', './a.ts', './c.ts', 'node:fs']);
  });

  it('names groups and packages', () => {
    assert.equal(groupOf('src/env/curation/env.ts'), 'src/env');
    assert.equal(groupOf('src/index.ts'), 'src');
    assert.equal(groupOf('web/src/play.ts'), 'web');
    assert.equal(groupOf('test/server/x.test.ts'), 'test');
    assert.equal(packageOf('node:fs/promises'), 'node:fs');
    assert.equal(packageOf('@fastify/swagger'), '@fastify/swagger');
    assert.equal(packageOf('typebox/compile'), 'typebox');
  });

  it('finds cycles between groups', () => {
    const g = graphOf({
      'src/a/x.ts': ['../b/y.ts'],
      'src/b/y.ts': ['../c/z.ts'],
      'src/c/z.ts': ['../a/x.ts'],
      'src/d/w.ts': ['../a/x.ts'],
    });
    assert.deepEqual(groupCycles(g.edges), [['src/a', 'src/b', 'src/c']]);
  });

  it('each rule trips on an import that breaks it', () => {
    const g = graphOf({
      'src/env/x.ts': ['../server/core.ts', 'fastify'],
      'src/protocol/p.ts': ['node:fs', '../client/http.ts'],
      'src/server/main.ts': ['../cli/commands/serve.ts', 'commander'],
      'src/client/c.ts': ['../../test/helpers.ts'],
      'bench/fuzz.ts': ['../test/robustness/cases.ts'],
      'test/t.test.ts': ['../bench/load.ts'],
    });
    const got = violations(g).map((v) => `${v.file} ${v.specifier}`).sort();
    assert.deepEqual(got, [
      'bench/fuzz.ts ../test/robustness/cases.ts',
      'src/client/c.ts ../../test/helpers.ts',
      'src/env/x.ts ../server/core.ts',
      'src/env/x.ts fastify',
      'src/protocol/p.ts ../client/http.ts',
      'src/protocol/p.ts node:fs',
      'src/server/main.ts ../cli/commands/serve.ts',
      'src/server/main.ts commander',
      'test/t.test.ts ../bench/load.ts',
    ]);
  });

  it('a clean graph breaks no rule', () => {
    const g = graphOf({
      'src/env/x.ts': ['../numerics/rng.ts', 'typebox'],
      'src/protocol/p.ts': ['../env/types.ts', 'typebox'],
      'src/server/core.ts': ['../protocol/p.ts', '../env/x.ts', 'fastify'],
      'src/cli/serve.ts': ['../server/core.ts', 'commander'],
      'test/t.test.ts': ['../src/server/core.ts', '../tools/deps.ts'],
    });
    assert.deepEqual(violations(g), []);
  });

  it('the repository keeps its layering (npm run deps -- --check names any import that breaks it)', () => {
    const got = violations(readGraph()).map((v) => `${v.file}${v.specifier ? ` imports ${v.specifier}` : ''}: ${v.rule}`);
    assert.deepEqual(got, []);
  });

  it('the picture covers the whole tree: every source file is read, and src/ folders import one another', () => {
    const g = readGraph();
    for (const file of ['src/env/env.ts', 'src/server/main.ts', 'test/tools/deps.test.ts', 'bench/run.ts', 'tools/deps.ts', 'web/src/play.ts']) {
      assert.ok(g.files.some((f) => f.file === file), file);
    }
    assert.ok(g.edges.some((e) => e.from === 'src/server' && e.to === 'src/env'));
    assert.ok(g.edges.some((e) => e.from === 'src/cli' && e.to === 'src/server'));
  });
});
