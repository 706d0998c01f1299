/**
 * Store integrity at start (issue 13 item 2): a damaged, foreign, unwritable, vanished or
 * replaced store stops the server with exit code 2 and one line naming the file, the cause and
 * the fix — from `dataselectenv serve` and from the bundled server `npm start` runs.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { markerPath, openSqliteStore } from '../../src/server/store/sqlite.ts';
import { REPO_ROOT } from '../helpers.ts';
import { KEEP_ALL, finish, start, step } from './store/suite.ts';
import { get, post, withServer } from './helpers.ts';

const NODE = process.execPath;
const MAIN = path.join(REPO_ROOT, 'src/cli/main.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-startup-'));
let bundle = '';
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => {
  // The bundle `npm start` runs, built the same way into a temporary directory.
  const out = path.join(dir, 'bundle');
  execFileSync(path.join(REPO_ROOT, 'node_modules/.bin/rolldown'), [
    'src/server/main.ts', '--platform', 'node', '--format', 'esm', '--minify', '--charset', 'ascii', '-d', out, '--entry-file-names', 'server.mjs',
  ], { cwd: REPO_ROOT, stdio: 'pipe' });
  bundle = path.join(out, 'server.mjs');
});

let n = 0;
/** A store with a few episodes, closed, in its own directory. */
async function populatedStore(episodes = 40, labelChars = 200): Promise<string> {
  const file = path.join(dir, `case-${n++}`, 'episodes.sqlite');
  const store = openSqliteStore({ file, retention: KEEP_ALL });
  for (let i = 0; i < episodes; i++) {
    await store.createEpisode(start(`e${i}`, { label: 'x'.repeat(labelChars) }));
    await store.appendStep(`e${i}`, step(1), null);
    await store.appendStep(`e${i}`, step(2, true), finish(1000 + i, 2));
  }
  await store.close();
  // Fold the WAL into the main file, so damage to the file is damage to the data.
  const db = new DatabaseSync(file);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

/** Runs a server on `file` and expects it to refuse to start: exit code 2, one line on stderr. */
async function refusedStart(file: string, entry: 'cli' | 'bundle' = 'cli'): Promise<string> {
  const args = entry === 'cli' ? ['--no-warnings', MAIN, 'serve'] : [bundle];
  const child = spawn(NODE, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STORE_PATH: file, WEB: '0', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  assert.equal(code, 2, `exit code (stderr: ${stderr}, stdout: ${stdout})`);
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line, got: ${stderr}`);
  assert.ok(lines[0].length < 600, `a short line: ${lines[0]}`);
  assert.ok(lines[0].includes(file), `names the file: ${lines[0]}`);
  assert.doesNotMatch(lines[0], /\bat .*:\d+:\d+/, 'no stack trace');
  if (process.env.SHOW_LINES) console.log(lines[0]);
  return lines[0];
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

describe('the server refuses a store it cannot trust (exit 2, one line)', () => {
  test('damaged pages: quick_check fails', async () => {
    const file = await populatedStore();
    const size = statSync(file).size;
    assert.ok(size > 8 * 4096, `store of ${size} bytes`);
    // Garbage over pages 3.. of the B-trees (the header and schema page stay intact).
    overwrite(file, 2 * 4096, Buffer.alloc(3 * 4096, 0xa5));
    const line = await refusedStart(file);
    assert.match(line, /damaged|malformed/);
    assert.match(line, /restore it from a backup/);
  });

  test('header garbage: not a SQLite database — from the bundled server too', async () => {
    const file = await populatedStore();
    overwrite(file, 0, Buffer.from('this is not a database header, not at all!'));
    for (const entry of ['cli', 'bundle'] as const) {
      const line = await refusedStart(file, entry);
      assert.match(line, /not a SQLite database/, entry);
    }
  });

  test('a store that existed is missing or 0 bytes: reported, not silently replaced', async () => {
    const file = await populatedStore();
    assert.ok(statSync(markerPath(file)).isFile(), 'the marker is written beside the store');
    writeFileSync(file, '');
    let line = await refusedStart(file);
    assert.match(line, /empty \(0 bytes\), but a store existed here/);
    assert.match(line, /delete .*store-id to start a new empty store/);
    rmSync(file);
    line = await refusedStart(file, 'bundle');
    assert.match(line, /missing, but a store existed here/);
    // Without the marker a 0-byte file is still not taken for a store.
    rmSync(markerPath(file));
    writeFileSync(file, '');
    assert.match(await refusedStart(file), /empty \(0 bytes\)/);
  });

  test('another store put in its place (a different store id)', async () => {
    const a = await populatedStore();
    const b = await populatedStore();
    copyFileSync(b, a);
    assert.match(await refusedStart(a), /not the store that was here/);
  });

  test('written by a newer version', async () => {
    const file = await populatedStore();
    const db = new DatabaseSync(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    assert.match(await refusedStart(file), /newer version/);
  });

  test('read-only store', async (t) => {
    const file = await populatedStore();
    const parent = path.dirname(file);
    if (process.getuid?.() === 0) {
      // Root ignores file modes: a read-only mount instead.
      const mnt = path.join(dir, `ro-${n++}`);
      mkdirSync(mnt);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'pipe' });
      } catch (e) {
        t.skip(`root without mount permission: ${String(e).slice(0, 100)}`);
        return;
      }
      try {
        const inside = path.join(mnt, 'episodes.sqlite');
        copyFileSync(file, inside);
        copyFileSync(markerPath(file), markerPath(inside));
        execFileSync('mount', ['-o', 'remount,ro', mnt]);
        assert.match(await refusedStart(inside), /read-only \(EROFS/);
      } finally {
        execFileSync('umount', [mnt]);
      }
    } else {
      chmodSync(file, 0o444);
      chmodSync(parent, 0o555);
      try {
        assert.match(await refusedStart(file), /read-only|cannot be opened or written|cannot be read/);
      } finally {
        chmodSync(parent, 0o755);
        chmodSync(file, 0o644);
      }
    }
  });

  test('damage found while running: 503 store_corrupt (never 500), /health degraded', async () => {
    // Larger than SQLite's page cache (2 MB), so the damaged early pages are read from the disk again.
    const file = await populatedStore(1200, 2500);
    assert.ok(statSync(file).size > 3_000_000);
    await withServer({ STORE_PATH: file }, async (s) => {
      assert.equal((await get(s.url, '/health')).body.status, 'healthy');
      overwrite(file, 2 * 4096, Buffer.alloc(3 * 4096, 0xa5));
      const statuses = new Set<number>();
      const reasons = new Set<string>();
      for (let i = 0; i < 40; i++) {
        for (const r of [await get(s.url, `/episodes/e${i}`), await post(s.url, '/grader', { episode_id: `e${i}`, task_id: 'hard' })]) {
          statuses.add(r.status);
          if (r.status !== 200) reasons.add(r.body.reason);
        }
      }
      const list = await get(s.url, '/episodes?limit=1000');
      statuses.add(list.status);
      if (list.status !== 200) reasons.add(list.body.reason);
      assert.ok(statuses.has(503), `statuses ${[...statuses]}`);
      assert.ok(!statuses.has(500), `statuses ${[...statuses]}`);
      assert.deepEqual([...reasons], ['store_corrupt']);
      const health = (await get(s.url, '/health')).body;
      assert.equal(health.status, 'degraded');
      assert.equal(health.store.status, 'corrupt');
      assert.equal((await get(s.url, '/ready')).status, 503);
    });
  });

  test('a sound store starts, and a version-1 store is upgraded keeping every episode', async () => {
    const file = path.join(dir, `v1-${n++}`, 'episodes.sqlite');
    mkdirSync(path.dirname(file));
    const db = new DatabaseSync(file);
    // The version-1 layout: finished episodes only, steps as one JSON array.
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE episodes (seq INTEGER PRIMARY KEY AUTOINCREMENT, episode_id TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL,
        seed INTEGER NOT NULL, label TEXT, step_count INTEGER NOT NULL, finished_ms INTEGER NOT NULL, initial_observation TEXT NOT NULL,
        final_observation TEXT NOT NULL, noise_ratios TEXT NOT NULL, steps TEXT NOT NULL);
      CREATE INDEX episodes_order ON episodes (finished_ms DESC, seq DESC);
      CREATE INDEX episodes_task_order ON episodes (task_id, finished_ms DESC, seq DESC);`);
    const insert = db.prepare(`INSERT INTO episodes (episode_id, task_id, seed, label, step_count, finished_ms, initial_observation, final_observation, noise_ratios, steps)
      VALUES (?, 'hard', 7, 'old', 2, ?, ?, ?, ?, ?)`);
    for (let i = 0; i < 3; i++) {
      insert.run(`old-${i}`, 5000 + i, JSON.stringify(start('x').initial_observation), JSON.stringify(finish(0, 2).final_observation),
        JSON.stringify(finish(0, 2).noise_ratios), JSON.stringify([step(1), step(2, true)]));
    }
    db.close();
    const store = openSqliteStore({ file, retention: KEEP_ALL });
    try {
      const page = await store.list({ limit: 10 });
      assert.deepEqual(page.episodes.map((e) => e.episode_id), ['old-2', 'old-1', 'old-0']);
      const e = await store.getCompleted('old-1');
      assert.deepEqual(e!.steps, [step(1), step(2, true)], 'steps carried over exactly');
      assert.equal(e!.finished_ms, 5001);
      await store.createEpisode(start('new'));
      await store.appendStep('new', step(1), null);
      assert.equal(await store.integrityCheck(), 'ok');
    } finally {
      await store.close();
    }
  });
});
