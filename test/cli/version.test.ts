import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PACKAGE_VERSION } from '../../src/version.ts';
import { REPO_ROOT } from '../helpers.ts';

test('the version is package.json\'s: dataselectenv --version prints it', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(PACKAGE_VERSION, pkg.version);
  for (const flag of ['--version', '-V']) {
    const r = spawnSync(process.execPath, ['--no-warnings', path.join(REPO_ROOT, 'src/cli/main.ts'), flag], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
});
