/**
 * Deployment files: the Dockerfile (no Docker engine on these machines, so its content is
 * checked: multi-stage on Node 24, the dependency layer before the sources, a runtime stage with
 * only the bundle and the console, non-root, HEALTHCHECK on /health, port 8000, the server as
 * PID 1) and openenv.yaml (docs/protocol.md §12, identical to its generator's output).
 */
import { PACKAGE_VERSION } from '../../src/version.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { rolldown } from 'rolldown';
import { CONTAINER_PORT, DEFAULTS } from '../../src/server/config.ts';
import { renderManifest } from '../../src/server/manifest.ts';
import { SCHEMAS } from '../../src/server/routes/meta.ts';
import { REPO_ROOT } from '../helpers.ts';

const read = (name: string) => readFileSync(path.join(REPO_ROOT, name), 'utf8');

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

test('Dockerfile: multi-stage on Node 24, deps layer before the sources, runtime with only the bundle, the console and the data sets, non-root, port 8000', () => {
  const ins = instructions(read('Dockerfile'));
  const fromIdx = ins.flatMap((i, k) => (i.op === 'FROM' ? [k] : []));
  assert.ok(fromIdx.length >= 2, 'multi-stage');
  for (const k of fromIdx) assert.match(ins[k].args, /^node:24(\b|[.-])/);
  const build = ins.slice(fromIdx[0], fromIdx[1]);
  const runtime = ins.slice(fromIdx.at(-1));
  // Build stage: the lockfile alone, then the install (cached layer), then the sources, then the builds.
  const copyLock = build.findIndex((i) => i.op === 'COPY' && /package-lock\.json/.test(i.args) && !i.args.startsWith('. '));
  const install = build.findIndex((i) => i.op === 'RUN' && /^npm ci\b/.test(i.args));
  const copyAll = build.findIndex((i) => i.op === 'COPY' && /^\.\s/.test(i.args));
  const builds = build.findIndex((i) => i.op === 'RUN' && /npm run build:server/.test(i.args) && /npm run build:web/.test(i.args));
  assert.ok(copyLock >= 0 && copyLock < install && install < copyAll && copyAll < builds, 'COPY lockfile → npm ci → COPY . → builds');
  // The same flags as CI's install (.ci/run), plus --ignore-scripts (prepare needs the sources).
  const ciInstall = /^npm ci[^\n]*$/m.exec(read('.ci/run'));
  assert.ok(ciInstall, 'CI installs with npm ci');
  assert.equal(build[install].args, `${ciInstall[0]} --ignore-scripts`);
  // Runtime stage: only the bundle, the console and the data-set files come over; nothing is installed there.
  const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')));
  assert.deepEqual(copies.map((c) => c[0]).sort(), ['/app/build/server', '/app/datasets', '/app/web/dist']);
  assert.ok(runtime.filter((i) => i.op === 'COPY').every((i) => i.args.includes('--from=build')));
  assert.ok(!runtime.some((i) => i.op === 'RUN' && /\bnpm\b/.test(i.args)), 'no npm in the runtime stage');
  const userIndex = runtime.findIndex((i) => i.op === 'USER');
  assert.ok(userIndex >= 0, 'USER set');
  assert.doesNotMatch(runtime[userIndex].args, /^(root|0)(:|$)/);
  const cmdIndex = runtime.findIndex((i) => i.op === 'CMD');
  assert.ok(cmdIndex > userIndex, 'the server runs after USER');
  // The image runs what `npm start` runs: the bundled server.
  assert.deepEqual(JSON.parse(runtime[cmdIndex].args), ['node', 'build/server/server.mjs']);
  const pkg = JSON.parse(read('package.json'));
  // `exec`: the shell npm runs the script in becomes the server, so signals sent to npm reach it.
  assert.equal(pkg.scripts.start, 'exec node build/server/server.mjs');
  const health = runtime.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(health, 'HEALTHCHECK present');
  assert.match(health.args, /\/health/);
  assert.match(health.args, /healthy/);
  assert.ok(runtime.some((i) => i.op === 'EXPOSE' && i.args === String(CONTAINER_PORT)));
  const env = runtime.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
  assert.match(env, new RegExp(`PORT=${CONTAINER_PORT}\\b`));
  assert.match(env, /DATA_DIR=\S+/);
  // Outside the image `npm start` keeps 7860 for the original's clients.
  assert.equal(DEFAULTS.port, 7860);
  const ignore = read('.dockerignore');
  for (const entry of ['node_modules', 'data', '.git']) assert.match(ignore, new RegExp(`^${entry.replace('.', '\\.')}$`, 'm'));
});

test('the bundled server imports only Node built-ins (the runtime image has no node_modules)', async () => {
  // The same entry as `npm run build:server`; rolldown reports each chunk's real imports.
  const bundle = await rolldown({ input: path.join(REPO_ROOT, 'src/server/main.ts'), platform: 'node', cwd: REPO_ROOT, logLevel: 'silent' });
  const { output } = await bundle.generate({ format: 'esm' });
  await bundle.close();
  const chunks = new Set(output.map((o) => o.fileName));
  const external = output.flatMap((o) => (o.type === 'chunk' ? [...o.imports, ...o.dynamicImports] : [])).filter((s) => !chunks.has(s));
  assert.ok(external.length > 0, 'the bundle imports built-ins');
  for (const s of external) assert.ok(s.startsWith('node:'), `bundle imports ${s}`);
});

test('openenv.yaml is the generated manifest and carries the §12 fields', () => {
  const text = read('openenv.yaml');
  assert.equal(text, renderManifest(), 'regenerate with: npm run manifest');
  for (const field of ['spec_version: 1', 'name: "DataSelectEnv"', `version: "${PACKAGE_VERSION}"`, 'type: "space"', 'runtime: "node"', 'port: 8000', 'authors: ["InfraNova"]', 'observation_space:', 'action_space:', 'tasks:', 'reward:', '  type: "continuous"', 'endpoints:', '  websocket: "/ws"', '  mcp: "/mcp"']) {
    assert.ok(text.split('\n').includes(field), `line ${field}`);
  }
  for (const task of ['easy', 'medium', 'hard']) assert.ok(text.includes(`  - id: "${task}"`));
  // No Python class names for auto-discovery to import.
  assert.doesNotMatch(text, /^(action|observation|client):/m);
  // The action schema is the one /schema serves.
  assert.ok(text.includes(JSON.stringify(SCHEMAS.action.description)));
});
