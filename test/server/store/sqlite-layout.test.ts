/**
 * The steps table's layout: a store written before it became a rowid table (steps in a WITHOUT
 * ROWID table) is rebuilt when opened, keeping every step, and works on as any other store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { StoreConflictError } from '../../../src/server/store/types.ts';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import { KEEP_ALL, finish, start, step } from './suite.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-layout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `use` on the database file opened directly (not as a store), and closes it. */
function withRawDatabase<T>(file: string, use: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

const stepsSql = (file: string): string =>
  withRawDatabase(file, (db) => (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'steps'").get() as { sql: string }).sql);

test('a store whose steps sit in a WITHOUT ROWID table is rebuilt on open, every step kept', async () => {
  const file = path.join(dir, 'old-layout.sqlite');
  let store = openSqliteStore({ file, retention: KEEP_ALL });
  await store.createEpisode(start('finished'));
  await store.appendStep('finished', step(1), null);
  await store.appendStep('finished', step(2, true), finish(9000, 2));
  await store.createEpisode(start('live'));
  for (let t = 1; t <= 3; t++) await store.appendStep('live', step(t), null);
  await store.close();

  // The layout stores had before: the same columns, the key as the table's own B-tree.
  const db = new DatabaseSync(file);
  db.exec(`ALTER TABLE steps RENAME TO steps_now;
    CREATE TABLE steps (
      episode_id TEXT NOT NULL REFERENCES episodes (episode_id) ON DELETE CASCADE,
      t INTEGER NOT NULL, created_ms INTEGER NOT NULL, record TEXT NOT NULL,
      PRIMARY KEY (episode_id, t)
    ) WITHOUT ROWID;
    INSERT INTO steps SELECT episode_id, t, created_ms, record FROM steps_now;
    DROP TABLE steps_now;`);
  db.close();
  assert.match(stepsSql(file), /WITHOUT ROWID/, 'the fixture has the old layout');

  store = openSqliteStore({ file, retention: KEEP_ALL });
  try {
    assert.doesNotMatch(stepsSql(file), /WITHOUT ROWID/, 'rebuilt as a rowid table');
    assert.deepEqual((await store.getCompleted('finished'))!.steps, [step(1), step(2, true)]);
    assert.deepEqual((await store.getLog('live'))!.steps, [step(1), step(2), step(3)]);
    // The key still guards the log: the next step goes in, a step already taken is refused.
    await store.appendStep('live', step(4), null);
    await assert.rejects(store.appendStep('live', step(4), null), StoreConflictError);
    assert.deepEqual(await store.stepsAfter('live', 2), [step(3), step(4)]);
    // Deleting an episode still takes its steps with it (the foreign key survived the rebuild).
    assert.equal(await store.discardUnfinished('live'), true);
    assert.equal(await store.getLog('live'), null);
    assert.equal(await store.integrityCheck(), 'ok');
  } finally {
    await store.close();
  }
  withRawDatabase(file, (raw) => {
    assert.equal((raw.prepare("SELECT COUNT(*) AS n FROM steps WHERE episode_id = 'live'").get() as { n: number }).n, 0);
    assert.equal((raw.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'steps_without_rowid'").get() as { n: number }).n, 0);
  });
});

test('a store in the current layout opens unchanged', async () => {
  const file = path.join(dir, 'new-layout.sqlite');
  const store = openSqliteStore({ file, retention: KEEP_ALL });
  await store.createEpisode(start('a'));
  await store.appendStep('a', step(1), null);
  await store.close();
  const before = stepsSql(file);
  assert.doesNotMatch(before, /WITHOUT ROWID/);
  const again = openSqliteStore({ file, retention: KEEP_ALL });
  try {
    assert.equal(stepsSql(file), before);
    assert.deepEqual((await again.getLog('a'))!.steps, [step(1)]);
  } finally {
    await again.close();
  }
});
