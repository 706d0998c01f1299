/**
 * The package as users get it. In the repository, the package name resolves to the sources (no
 * build, never a stale dist/). Packed with `npm pack` and installed into an empty folder, it has
 * no scripts, imports from dist/, runs the README's library snippet against its own server, and
 * replays its bundled golden traces.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { packedManifest } from '../../tools/pack-manifest.ts';
import { REPO_ROOT, freePort } from '../helpers.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'dse-pkg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The fenced ```ts block of the README section `heading` that contains `marker`. */
function readmeSnippet(heading: string, marker: string): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const block = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(marker));
  assert.ok(block, `README ## ${heading} has a ts snippet with ${marker}`);
  return block;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the package in the repository', () => {
  it('the package name resolves to src/, and the README quick-start script runs without a build', async () => {
    const resolved = await run(process.execPath, ['--input-type=module', '-e', "for (const s of ['dataselectenv', 'dataselectenv/client', 'dataselectenv/agent']) console.log(import.meta.resolve(s))"], { cwd: REPO_ROOT });
    const targets = resolved.stdout.trim().split('\n');
    assert.deepEqual(
      targets.map((u) => path.relative(REPO_ROOT, new URL(u).pathname)),
      [path.join('src', 'index.ts'), path.join('src', 'client', 'index.ts'), path.join('src', 'agent', 'index.ts')],
    );
    // The quick start says: save it as play.ts in the repository and run it with the pinned Node.
    const dir = path.join(REPO_ROOT, 'test-output', `quick-start-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(path.join(dir, 'play.ts'), readmeSnippet('Quick start', 'DataSelectEnv'));
      const r = await run(process.execPath, [path.join(dir, 'play.ts')], { cwd: REPO_ROOT });
      assert.match(r.stdout, /score: 0\.4175/);
      assert.equal(r.stdout.split('\n').filter((l) => /^\d+ -?\d+\.\d{4} \d\.\d{4}$/.test(l)).length, 8, `one line per step of hard:\n${r.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the tarball manifest points at dist/ and carries no scripts', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const packed = packedManifest(pkg) as { exports: Record<string, unknown>; types: string; scripts?: unknown; devDependencies?: unknown };
    assert.deepEqual(packed.exports['./client'], { types: './dist/client/index.d.ts', default: './dist/client/index.js' });
    assert.equal(packed.types, './dist/index.d.ts');
    assert.equal(packed.scripts, undefined);
    assert.equal(packed.devDependencies, undefined);
    assert.deepEqual(pkg.dependencies, (packed as { dependencies?: unknown }).dependencies);
    // The run-time Node need is stated in the tarball only (the checkout would make npm, run by the
    // bootstrap Node 20, warn EBADENGINE on every `npx dataselectenv`), derived from the pinned node.
    assert.equal(pkg.engines, undefined);
    const major = /(\d+)/.exec(pkg.devDependencies.node)![1];
    assert.deepEqual((packed as { engines?: unknown }).engines, { node: `>=${major}` });
  });
});

describe('the packed package, installed into an empty folder', () => {
  it('npm pack → npm install → the README library snippet and replay run from dist/', { timeout: 600_000 }, async (t) => {
    // Pack a copy of the package's inputs, so the repository's package.json is never rewritten
    // while other tests read it (prepack swaps it for the tarball's, postpack restores it).
    const stage = path.join(tmp, 'stage');
    mkdirSync(stage);
    for (const f of ['package.json', 'package-lock.json', 'README.md', 'openenv.yaml', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin', 'tools', 'docs', 'fixtures', 'datasets', path.join('web', 'dist')]) {
      if (existsSync(path.join(REPO_ROOT, f))) cpSync(path.join(REPO_ROOT, f), path.join(stage, f), { recursive: true });
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: stage, maxBuffer: 64 << 20 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    for (const f of ['dist/index.js', 'dist/client/index.d.ts', 'bin/dataselectenv.js', 'fixtures/classic.jsonl.gz', 'fixtures/curation.jsonl.gz', 'fixtures/dataset.jsonl.gz', 'datasets/digits.csv.gz', 'datasets/README.md', 'docs/protocol.md', 'openenv.yaml', 'package.json']) {
      assert.ok(files.includes(f), `tarball has ${f}`);
    }
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.includes('classic-debug')), 'no sources, tests or test-only fixtures');
    assert.equal(JSON.parse(readFileSync(path.join(stage, 'package.json'), 'utf8')).exports['.'], './src/index.ts', 'postpack restored the manifest');
    t.diagnostic(`tarball ${info.filename}: ${files.length} files`);

    const consumer = path.join(tmp, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // The dependencies come from npm's cache, which `npm ci` filled.
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, info.filename)], { cwd: consumer, maxBuffer: 64 << 20 });
    // No lifecycle script runs or is warned about. (An EBADENGINE warning may appear when this
    // npm runs on Node < 24: for a consumer that is true, the installed package runs on their Node.)
    assert.doesNotMatch(install.stderr, /prepare|install script|lifecycle|vite/i, `install warnings:\n${install.stderr}`);
    const installed = JSON.parse(readFileSync(path.join(consumer, 'node_modules', 'dataselectenv', 'package.json'), 'utf8'));
    assert.equal(installed.scripts, undefined);
    assert.match(String(installed.engines?.node), /^>=\d+$/, 'the installed manifest states its run-time Node');

    const bin = path.join(consumer, 'node_modules', 'dataselectenv', 'bin', 'dataselectenv.js');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--store-path', ':memory:', '--log-level', 'warn'], {
      cwd: consumer,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await waitForHealth(url, server);
      writeFileSync(path.join(consumer, 'play.ts'), readmeSnippet('Library', 'HttpEnvironment').replaceAll('http://localhost:7860', url));
      const r = await run(process.execPath, ['play.ts'], { cwd: consumer });
      const lines = r.stdout.trim().split('\n').map((l) => l.split(' '));
      assert.deepEqual(lines.map((l) => l[0]), ['inprocess', 'http', 'ws']);
      assert.equal(new Set(lines.map((l) => l[1])).size, 1, `the same score three times: ${r.stdout}`);
      assert.ok(Number(lines[0][1]) > 0);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
    }

    const replay = await run(process.execPath, [bin, 'replay'], { cwd: consumer, maxBuffer: 16 << 20 });
    assert.match(replay.stdout, /fidelity: 564\/564 traces match/);
  });
});
