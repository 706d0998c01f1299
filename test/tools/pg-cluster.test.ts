import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import pg from 'pg';
import { pgUnavailableReason, startPgCluster } from '../../tools/pg-cluster.ts';

const skip = pgUnavailableReason() ?? false;

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 + 1 AS two');
    return r.rows[0].two;
  } finally {
    await client.end();
  }
}

describe('throw-away PostgreSQL cluster (tools/pg-cluster.ts)', { skip }, () => {
  it('starts on a loopback port, pauses (connections refused), resumes on the same port, and is removed by stop', { timeout: 120_000 }, async () => {
    const cluster = startPgCluster();
    try {
      assert.match(cluster.url, /^postgres:\/\/dse@127\.0\.0\.1:\d+\/dataselectenv$/);
      assert.equal(await selectOne(cluster.url), 2);
      cluster.pause();
      await assert.rejects(selectOne(cluster.url), /ECONNREFUSED/);
      cluster.start();
      assert.equal(await selectOne(cluster.url), 2);
    } finally {
      cluster.stop();
    }
    assert.equal(existsSync(cluster.dir), false);
    await assert.rejects(selectOne(cluster.url), /ECONNREFUSED/);
  });
});
