/**
 * The SQLite backend: the shared store suite on a file and in memory, then what only a file
 * store has: the upgrade of a version-1 store, and the start-up checks (each failure one line
 * naming the file, the cause and the fix).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import type { RetentionPolicy } from '../../../src/server/store/types.ts';
import { runStoreSuite } from './suite.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const files = new Map<object, string>();

runStoreSuite('SQLite file', {
  async open(retention: RetentionPolicy) {
    const file = path.join(dir, `suite-${n++}`, 'episodes.sqlite');
    const store = openSqliteStore({ file, retention });
    files.set(store, file);
    return store;
  },
  async reopen(store, retention) {
    const file = files.get(store)!;
    await store.close();
    const again = openSqliteStore({ file, retention });
    files.set(again, file);
    return again;
  },
  async twin(store, retention) {
    return openSqliteStore({ file: files.get(store)!, retention });
  },
});

runStoreSuite('SQLite :memory:', {
  async open(retention: RetentionPolicy) {
    return openSqliteStore({ file: ':memory:', retention });
  },
});

