/**
 * A SQLite store shared by processes (`serve --workers N`): while another process holds the write
 * lock, a write waits for it on the event loop — the process goes on serving (timers fire) — and
 * lands once the lock is free; a lock held past the busy timeout fails the write as unavailable
 * (the service answers 503), with nothing written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { openSqliteStore } from '../../../src/server/store/sqlite.ts';
import { StoreUnavailableError } from '../../../src/server/store/types.ts';
import { KEEP_ALL, start, step } from './suite.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-sqlite-busy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Another process takes the write lock of `file` (BEGIN IMMEDIATE), holds it `ms`, then commits. */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const code = `const {DatabaseSync}=require('node:sqlite');const db=new DatabaseSync(${JSON.stringify(file)});db.exec('BEGIN IMMEDIATE');process.stdout.write('locked\\n');setTimeout(()=>{db.exec('COMMIT');db.close();process.exit(0)},${ms})`;
  const child = spawn(process.execPath, ['--no-warnings', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (String(d).includes('locked')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`the lock holder exited (${c}) before taking the lock`)));
  });
  return { released };
}

/** The longest gap between ticks of a 5 ms timer while `work` runs: how long the event loop was blocked. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T | Error; stallMs: number; elapsedMs: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  let value: T | Error;
  try {
    value = await work();
  } catch (e) {
    value = e as Error;
  }
  const elapsedMs = performance.now() - t0;
  clearInterval(timer);
  stall = Math.max(stall, performance.now() - last);
  return { value, stallMs: stall, elapsedMs };
}

const HOLD_MS = 1500;

describe('SQLite store: another process holding the write lock', () => {
  test('a write waits for it without blocking the event loop, then lands', async () => {
    const file = path.join(dir, 'wait.sqlite');
    const store = await openSqliteStore({ file, retention: KEEP_ALL });
    try {
      await store.createEpisode(start('e1'));
      const { released } = await holdWriteLock(file, HOLD_MS);
      const r = await longestStall(() => store.appendStep('e1', step(1), null));
      await released;
      assert.ok(!(r.value instanceof Error), `the write succeeded once the lock was free (${String(r.value)})`);
      assert.ok(r.elapsedMs >= HOLD_MS / 3, `the write did wait for the lock (${r.elapsedMs.toFixed(0)} ms)`);
      // SQLite's own busy handler would have slept through the whole hold (≈ HOLD_MS).
      assert.ok(r.stallMs < HOLD_MS / 2, `the event loop kept running: longest stall ${r.stallMs.toFixed(0)} ms of a ${HOLD_MS} ms hold`);
      assert.deepEqual((await store.getLog('e1'))?.steps.map((s) => s.t), [1]);
    } finally {
      await store.close();
    }
  });

  test('a lock held past busyTimeoutMs: unavailable, nothing written, the next try lands', async () => {
    const file = path.join(dir, 'timeout.sqlite');
    const store = await openSqliteStore({ file, retention: KEEP_ALL, busyTimeoutMs: 200 });
    try {
      await store.createEpisode(start('e2'));
      const { released } = await holdWriteLock(file, HOLD_MS);
      const r = await longestStall(() => store.appendStep('e2', step(1), null));
      assert.ok(r.value instanceof StoreUnavailableError, `refused as unavailable, got ${String(r.value)}`);
      assert.match(r.value.message, /locked/);
      assert.ok(r.stallMs < HOLD_MS / 2, `no stall while waiting: ${r.stallMs.toFixed(0)} ms`);
      await released;
      assert.deepEqual((await store.getLog('e2'))?.steps, [], 'the refused step is not in the log');
      await store.appendStep('e2', step(1), null);
      assert.deepEqual((await store.getLog('e2'))?.steps.map((s) => s.t), [1]);
    } finally {
      await store.close();
    }
  });
});
