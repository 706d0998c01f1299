import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'dse-pkg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('library packaging', () => {
  it('the build (as prepack runs it) emits JS + .d.ts for every export, and the compiled CLI and library run', async () => {
    // Lay out what an installed package holds: package.json, bin/, dist/ (no src/, so bin falls back to dist).
    const pkgDir = path.join(tmp, 'node_modules', 'dataselectenv');
    mkdirSync(pkgDir, { recursive: true });
    await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', path.join(pkgDir, 'dist')]);
    copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(pkgDir, 'package.json'));
    cpSync(path.join(REPO_ROOT, 'bin'), path.join(pkgDir, 'bin'), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(pkgDir, 'node_modules'), 'dir');

    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.files.includes('dist') && pkg.files.includes('bin'));
    assert.match(pkg.scripts.prepack, /build/);
    for (const [sub, target] of Object.entries(pkg.exports as Record<string, { types: string; default: string } | string>)) {
      if (typeof target === 'string') continue;
      assert.ok(existsSync(path.join(pkgDir, target.default)), `${sub}: ${target.default} built`);
      assert.ok(existsSync(path.join(pkgDir, target.types)), `${sub}: ${target.types} built`);
    }

    const consumer = path.join(tmp, 'use.mjs');
    writeFileSync(
      consumer,
      `import { DataSelectEnv } from 'dataselectenv';
import { InProcessEnvironment, evaluate, BUILTIN_POLICIES } from 'dataselectenv/client';
import { FALLBACK_ACTION } from 'dataselectenv/agent';
const env = new DataSelectEnv();
env.reset({ task: 'hard', seed: 1 });
const r = await evaluate(new InProcessEnvironment(), { policyName: 'stop', policy: BUILTIN_POLICIES['stop-immediately'].policy, tasks: ['hard'], seeds: [0, 1] });
console.log(JSON.stringify({ score: r.tasks[0].mean_grade, fallback: FALLBACK_ACTION.batch_size }));
`,
    );
    const lib = await run(process.execPath, [consumer], { cwd: tmp });
    assert.deepEqual(JSON.parse(lib.stdout), { score: 0.9048, fallback: 10 });

    const cli = await run(process.execPath, [path.join(pkgDir, 'bin', 'dataselectenv.js'), 'eval', '--policy', 'stop-immediately', '--tasks', 'hard', '--seeds', '0..1', '--json'], { cwd: tmp });
    assert.equal(JSON.parse(cli.stdout).tasks[0].mean_grade, 0.9048);
  });
});
