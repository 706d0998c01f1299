/**
 * Deployment files: the Dockerfile (no Docker engine on these machines, so its content is
 * checked: Node 24 base, non-root user, HEALTHCHECK on /health, the same install command as CI,
 * the server as PID 1) and openenv.yaml (PROTOCOL.md §12, identical to its generator's output).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
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

test('Dockerfile: Node 24, non-root, HEALTHCHECK on /health, CI install command, serve as PID 1', () => {
  const ins = instructions(read('Dockerfile'));
  const from = ins.filter((i) => i.op === 'FROM');
  assert.equal(from.length, 1);
  assert.match(from[0].args, /^node:24(\b|[.-])/);
  const userIndex = ins.findIndex((i) => i.op === 'USER');
  assert.ok(userIndex >= 0, 'USER set');
  assert.doesNotMatch(ins[userIndex].args, /^(root|0)(:|$)/);
  const cmdIndex = ins.findIndex((i) => i.op === 'CMD');
  assert.ok(cmdIndex > userIndex, 'the server runs after USER');
  // The image runs what `npm start` runs: the bundled server, built after the install.
  assert.deepEqual(JSON.parse(ins[cmdIndex].args), ['node', 'build/server/server.mjs']);
  const pkg = JSON.parse(read('package.json'));
  assert.equal(pkg.scripts.start, 'node build/server/server.mjs');
  const buildIndex = ins.findIndex((i) => i.op === 'RUN' && i.args === 'npm run build:server');
  assert.ok(buildIndex > 0 && buildIndex < cmdIndex, 'RUN npm run build:server before CMD');
  const health = ins.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(health, 'HEALTHCHECK present');
  assert.match(health.args, /\/health/);
  assert.match(health.args, /healthy/);
  assert.ok(ins.some((i) => i.op === 'EXPOSE' && i.args === '7860'));
  // The image installs exactly as CI does.
  const ciInstall = /^npm ci[^\n]*$/m.exec(read('.ci/run'));
  assert.ok(ciInstall, 'CI installs with npm ci');
  const installIndex = ins.findIndex((i) => i.op === 'RUN' && i.args === ciInstall[0]);
  assert.ok(installIndex > userIndex, `RUN ${ciInstall[0]} as the unprivileged user`);
  const env = ins.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
  assert.match(env, /PORT=7860/);
  assert.match(env, /DATA_DIR=\S+/);
  const ignore = read('.dockerignore');
  for (const entry of ['node_modules', 'data', '.git']) assert.match(ignore, new RegExp(`^${entry.replace('.', '\\.')}$`, 'm'));
});

test('openenv.yaml is the generated manifest and carries the §12 fields', () => {
  const text = read('openenv.yaml');
  assert.equal(text, renderManifest(), 'regenerate with: node src/server/manifest.ts > openenv.yaml');
  for (const field of ['spec_version: 1', 'name: "DataSelectEnv"', 'version: "1.0.0"', 'type: "space"', 'runtime: "node"', 'port: 7860', 'authors: ["InfraNova"]', 'observation_space:', 'action_space:', 'tasks:', 'reward:', '  type: "continuous"', 'endpoints:', '  websocket: "/ws"', '  mcp: "/mcp"']) {
    assert.ok(text.split('\n').includes(field), `line ${field}`);
  }
  for (const task of ['easy', 'medium', 'hard']) assert.ok(text.includes(`  - id: "${task}"`));
  // No Python class names for auto-discovery to import.
  assert.doesNotMatch(text, /^(action|observation|client):/m);
  // The action schema is the one /schema serves.
  assert.ok(text.includes(JSON.stringify(SCHEMAS.action.description)));
});
