/**
 * The PostgreSQL backend: the shared store suite on a throw-away cluster (one database per store,
 * so tests never see each other's rows), then what only PostgreSQL has: versioned migrations,
 * replicas migrating at once, a server that goes away and comes back, and start-up failures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { MIGRATIONS, openPostgresStore, redactUrl, type PostgresEpisodeStore } from '../../../src/server/store/postgres.ts';
import { StoreOpenError, StoreUnavailableError, type RetentionPolicy } from '../../../src/server/store/types.ts';
import { pgUnavailableReason, startPgCluster, type PgCluster } from '../../../tools/pg-cluster.ts';
import { KEEP_ALL, runStoreSuite, start, step } from './suite.ts';

const skip = pgUnavailableReason() ?? false;
let cluster: PgCluster | null = null;
let databases = 0;

/** The cluster, started on first use (the suite's describe blocks are declared before `before` runs). */
function server(): PgCluster {
  cluster ??= startPgCluster();
  return cluster;
}
after(() => cluster?.stop());

/** A new empty database on the cluster; its URL. */
async function freshDatabase(): Promise<string> {
  const c = server();
  const name = `suite_${process.pid}_${databases++}`;
  const admin = new pg.Client({ connectionString: c.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return c.url.replace(/\/[^/]+$/, `/${name}`);
}

const urls = new Map<object, string>();
const open = async (url: string, retention: RetentionPolicy) => {
  const store = await openPostgresStore({ url, retention, poolSize: 4 });
  urls.set(store, url);
  return store;
};

if (!skip) {
  runStoreSuite('PostgreSQL', {
    async open(retention) {
      return open(await freshDatabase(), retention);
    },
    async reopen(store, retention) {
      const url = urls.get(store)!;
      await store.close();
      return open(url, retention);
    },
    async twin(store, retention) {
      return open(urls.get(store)!, retention);
    },
  });
}

describe('PostgreSQL store: migrations, outages, start-up', { skip }, () => {
  let url = '';
  before(async () => {
    url = await freshDatabase();
  });

  it('applies every migration once, recorded in schema_migrations, even with replicas starting together', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url, retention: KEEP_ALL, poolSize: 2 })));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const rows = (await client.query('SELECT version, name FROM schema_migrations ORDER BY version')).rows;
      assert.deepEqual(rows, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      // One store id for the database, whichever replica created it.
      assert.equal(new Set(stores.map((s) => s.storeId)).size, 1);
    } finally {
      await client.end();
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('refuses a database migrated by a newer build, naming both versions', async () => {
    const newer = await freshDatabase();
    await (await openPostgresStore({ url: newer, retention: KEEP_ALL })).close();
    const client = new pg.Client({ connectionString: newer });
    await client.connect();
    await client.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
    await client.end();
    await assert.rejects(openPostgresStore({ url: newer, retention: KEEP_ALL }), (e: Error) => {
      assert.ok(e instanceof StoreOpenError);
      assert.match(e.message, new RegExp(`schema 999, this server knows ${MIGRATIONS.at(-1)!.version}`));
      return true;
    });
  });

  it('a database of schema 2 (before the curation family) migrates to 3: its rows read as before, curation grades are kept', async () => {
    const old = await freshDatabase();
    const client = new pg.Client({ connectionString: old });
    await client.connect();
    try {
      // What a schema-2 build left: migrations 1 and 2, a finished classic episode.
      await client.query(`CREATE TABLE schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      await client.query("INSERT INTO meta (key, value) VALUES ('store_id', 'schema-2-store')");
      const s = start('from-v2');
      await client.query(
        `INSERT INTO episodes (episode_id, task_id, seed, label, transport, created_ms, initial_observation, finished_ms, step_count, final_observation, noise_ratios, owner_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, NULL)`,
        [s.episode_id, s.task_id, s.seed, s.label, s.transport, s.created_ms, JSON.stringify(s.initial_observation), 5000, JSON.stringify(step(1, true).observation), '[]'],
      );
      await client.query('INSERT INTO steps (episode_id, t, created_ms, record) VALUES ($1, 1, 5000, $2)', [s.episode_id, JSON.stringify(step(1, true))]);
    } finally {
      await client.end();
    }
    const store = await openPostgresStore({ url: old, retention: KEEP_ALL });
    try {
      assert.equal(store.storeId, 'schema-2-store');
      const summary = await store.getSummary('from-v2');
      assert.ok(summary);
      assert.equal(summary.grade_data, undefined, 'no grade data on an old classic row');
      assert.equal(summary.step_count, 1);
      const withGrade = { ...start('cur-after'), task_id: 'curation-easy' };
      await store.createEpisode(withGrade);
      const gradeData = { test_accuracy: 0.7125, regime: 'defaulting' as const };
      await store.appendStep('cur-after', step(1, true), { finished_ms: 6000, final_observation: step(1, true).observation, noise_ratios: [], grade_data: gradeData });
      assert.deepEqual((await store.getSummary('cur-after'))!.grade_data, gradeData);
    } finally {
      await store.close();
    }
    const check = new pg.Client({ connectionString: old });
    await check.connect();
    try {
      const versions = (await check.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
      assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
    } finally {
      await check.end();
    }
  });

  it('while PostgreSQL is down every call fails fast as unavailable, nothing is half-written, and the same calls work once it is back', { timeout: 60_000 }, async () => {
    const store: PostgresEpisodeStore = await openPostgresStore({ url, retention: KEEP_ALL, connectTimeoutMs: 2000 });
    try {
      await store.createEpisode(start('outage'));
      await store.appendStep('outage', step(1), null);
      server().pause();
      try {
        for (const call of [() => store.appendStep('outage', step(2), null), () => store.getLog('outage'), () => store.probeWrite(), () => store.list({ limit: 5 })]) {
          const t0 = Date.now();
          await assert.rejects(call(), StoreUnavailableError);
          assert.ok(Date.now() - t0 < 5000, 'an unreachable store answers within the connect timeout');
        }
      } finally {
        server().start();
      }
      // The pool reconnects by itself; the refused step was not written, so it goes in now.
      assert.equal((await store.getLog('outage'))!.steps.length, 1);
      await store.appendStep('outage', step(2), null);
      assert.deepEqual((await store.getLog('outage'))!.steps.map((s) => s.t), [1, 2]);
    } finally {
      await store.close();
    }
  });

  it('an unreachable or misnamed store at start is one line naming the URL without its password', async () => {
    const port = server().port;
    const closedPort = 1; // nothing listens on port 1 of the loopback
    await assert.rejects(openPostgresStore({ url: `postgres://dse:secret@127.0.0.1:${closedPort}/x`, retention: KEEP_ALL, connectTimeoutMs: 2000 }), (e: Error) => {
      assert.ok(e instanceof StoreOpenError);
      assert.match(e.message, /^episode store postgres:\/\/dse:\*\*\*@127\.0\.0\.1:1\/x: cannot connect \(.*ECONNREFUSED.*\); check STORE_URL/);
      assert.doesNotMatch(e.message, /secret|\n/);
      return true;
    });
    await assert.rejects(openPostgresStore({ url: `postgres://dse@127.0.0.1:${port}/no_such_db`, retention: KEEP_ALL }), (e: Error) => {
      assert.ok(e instanceof StoreOpenError);
      assert.match(e.message, /no_such_db.*does not exist/);
      return true;
    });
    await assert.rejects(openPostgresStore({ url: 'mysql://x@y/z', retention: KEEP_ALL }), StoreOpenError);
    assert.equal(redactUrl('postgres://u:p@h:1/d'), 'postgres://u:***@h:1/d');
  });
});
