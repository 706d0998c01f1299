/**
 * Rows damaged outside the server (JSON that no longer parses) read as `StoreCorruptError`, the
 * store contract's "what is stored cannot be read back" (src/server/store/types.ts), as the
 * PostgreSQL store answers them — not as a bare SyntaxError the server would answer with a 500.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { StoreCorruptError } from '../../../src/server/store/types.ts';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import { KEEP_ALL, finish, start, step } from './suite.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-damaged-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a step record or an observation that no longer parses is StoreCorruptError on every read of it', async () => {
  const file = path.join(dir, 'episodes.sqlite');
  let store = openSqliteStore({ file, retention: KEEP_ALL });
  await store.createEpisode(start('live'));
  await store.appendStep('live', step(1), null);
  await store.createEpisode(start('done'));
  await store.appendStep('done', step(1, true), finish(5000, 1));
  await store.close();

  const db = new DatabaseSync(file);
  db.exec(`UPDATE steps SET record = '{"t": 1, "acti' WHERE episode_id = 'live';
    UPDATE episodes SET final_observation = 'not json' WHERE episode_id = 'done';`);
  db.close();

  store = openSqliteStore({ file, retention: KEEP_ALL });
  try {
    await assert.rejects(store.getLog('live'), StoreCorruptError);
    await assert.rejects(store.stepsAfter('live', 0), StoreCorruptError);
    await assert.rejects(store.getCompleted('done'), StoreCorruptError);
    await assert.rejects(store.getSummary('done'), StoreCorruptError);
    await assert.rejects(store.list({ limit: 10 }), StoreCorruptError);
    // The damage is reported, not spread: an undamaged episode still reads and writes.
    await store.createEpisode(start('fresh'));
    await store.appendStep('fresh', step(1), null);
    assert.deepEqual((await store.getLog('fresh'))!.steps, [step(1)]);
  } finally {
    await store.close();
  }
});
