/**
 * The PostgreSQL store (`pg`), selected by `STORE_URL=postgres://…`: the same contract as the
 * embedded SQLite store (types.ts), shared by every replica of a deployment.
 *
 * - Schema: versioned migrations (MIGRATIONS below) applied at start inside one transaction that
 *   holds an advisory lock, so replicas starting together migrate once; `schema_migrations`
 *   records what was applied. A database migrated by a newer build is refused at start.
 * - A step is one INSERT of its row, keyed (episode_id, t): it goes in only while the episode is
 *   unfinished and `t` is its next index. Two replicas writing the same step race on that primary
 *   key; the loser gets a unique violation, reported as `StoreConflictError` (the optimistic
 *   concurrency of the contract, no lock held between requests). The last step and the finish
 *   are one transaction.
 * - Numbers are JSON text (the shortest decimal that round-trips), as in SQLite: bit-exact replay.
 * - Connection failures at any time are `StoreUnavailableError` (503 at the server): the pool
 *   reconnects on the next request once PostgreSQL is back. Timeouts bound how long a request
 *   waits for a store that hangs.
 * - Retention as in SQLite: rows past their age are unknown at once; the count rule trims after a
 *   finish using this replica's running count, and each `prune` re-reads the true count, so with
 *   several replicas the history may exceed the limit by what the others finished since.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  StoreConflictError,
  StoreCorruptError,
  StoreMissingError,
  StoreOpenError,
  StoreUnavailableError,
  type CompletedEpisode,
  type Cursor,
  type EpisodeFinish,
  type EpisodeLog,
  type EpisodeStart,
  type EpisodeStore,
  type EpisodeSummary,
  type ListPage,
  type ListQuery,
  type RetentionPolicy,
  type StepRecord,
} from './types.ts';
import { LAST_MS, SUMMARY_COLUMNS, expired, finishValues, finishedCutoff, num, startValues, toLog, toSummary, unfinishedCutoff, type EpisodeRow as Row } from './rows.ts';

/** pg returns BIGINT columns as strings; a log query also aggregates the steps (STEPS_JSON). */
type EpisodeRow = Row<string> & { steps?: string | null };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Applied in order, each once; never edit an applied one, add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'episodes and their action log',
    sql: `
      CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE episodes (
        seq bigserial PRIMARY KEY,
        episode_id text NOT NULL UNIQUE,
        task_id text NOT NULL,
        seed bigint NOT NULL,
        label text,
        transport text NOT NULL,
        created_ms bigint NOT NULL,
        initial_observation text NOT NULL,
        finished_ms bigint,
        step_count integer,
        final_observation text,
        noise_ratios text
      );
      CREATE INDEX episodes_finished ON episodes (finished_ms DESC, seq DESC) WHERE finished_ms IS NOT NULL;
      CREATE INDEX episodes_task_finished ON episodes (task_id, finished_ms DESC, seq DESC) WHERE finished_ms IS NOT NULL;
      CREATE INDEX episodes_unfinished ON episodes (created_ms) WHERE finished_ms IS NULL;
      CREATE TABLE steps (
        episode_id text NOT NULL REFERENCES episodes (episode_id) ON DELETE CASCADE,
        t integer NOT NULL,
        created_ms bigint NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (episode_id, t)
      );
      CREATE TABLE probe (id text PRIMARY KEY, at_ms bigint NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'the key id of each episode (EPISODE_ISOLATION)',
    sql: `ALTER TABLE episodes ADD COLUMN owner_key text;`,
  },
  {
    version: 3,
    name: 'the grade data of curation episodes',
    // Test accuracy and regime (JSON), written with the finishing step; null for the classic tasks.
    sql: `ALTER TABLE episodes ADD COLUMN grade_data text;`,
  },
];

/** Any constant: the advisory lock that serialises migrations of one database. */
const MIGRATION_LOCK = 7_860_140_002;

export interface PostgresStoreOptions {
  url: string;
  retention: RetentionPolicy;
  /** Connections per replica (default 10). */
  poolSize?: number;
  /** How long a request waits for a connection or a query before the store counts as unavailable. */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Errors of idle pooled connections (PostgreSQL restarted): reported, never thrown. */
  onBackgroundError?: (err: Error) => void;
}

/** All steps of the episode as one JSON array text (one round trip for a whole log). */
const STEPS_JSON = "(SELECT '[' || COALESCE(string_agg(s.record, ',' ORDER BY s.t), '') || ']' FROM steps s WHERE s.episode_id = e.episode_id)";

/** The URL for messages: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an invalid postgres:// URL';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** True for failures meaning "PostgreSQL cannot be reached or cannot work now". */
function isUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  if (NETWORK_CODES.has(code)) return true;
  // SQLSTATE classes: 08 connection, 53 insufficient resources (disk full, too many connections),
  // 57P admin/crash shutdown and "cannot connect now", 58 system (I/O) errors; 25006 read-only.
  if (/^(08|53|57P|58)/.test(code) || code === '25006' || code === '57014') return true;
  const message = typeof err?.message === 'string' ? err.message : '';
  return /Connection terminated|connection timeout|timeout exceeded|not queryable|Query read timeout|pool after calling end|Connection ended/i.test(message);
}

function classify(e: unknown, location: string, what: string): unknown {
  if (e instanceof StoreConflictError || e instanceof StoreMissingError || e instanceof StoreUnavailableError || e instanceof StoreCorruptError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  if (isUnavailable(e)) return new StoreUnavailableError(`the episode store ${location} cannot be used now (${detail}) while ${what}`, { cause: e });
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'XX001' || code === 'XX002' || e instanceof SyntaxError) {
    return new StoreCorruptError(`the episode store ${location} holds damaged data (${detail}) while ${what}`, { cause: e });
  }
  return e;
}

/**
 * Connects, applies the pending migrations and returns the store; throws `StoreOpenError` (one
 * line naming the URL, the cause and the fix) when PostgreSQL cannot be used.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresEpisodeStore> {
  const location = redactUrl(options.url);
  try {
    const u = new URL(options.url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error(`scheme ${u.protocol}`);
  } catch (e) {
    throw new StoreOpenError(`STORE_URL is not a postgres:// URL (${(e as Error).message}); use postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
  }
  const config: pg.PoolConfig = {
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'dataselectenv',
  };
  const pool = new pg.Pool(config);
  pool.on('error', (err) => options.onBackgroundError?.(err));
  try {
    await migrate(pool, location);
    const store = new PostgresEpisodeStore(pool, location, options.retention);
    await store.init();
    return store;
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof StoreOpenError) throw e;
    const detail = e instanceof Error ? e.message || (e as { code?: string }).code || String(e) : String(e);
    if (isUnavailable(e) || (e as { code?: string }).code === '28P01' || (e as { code?: string }).code === '3D000' || (e as { code?: string }).code === '28000') {
      throw new StoreOpenError(`episode store ${location}: cannot connect (${detail}); check STORE_URL and that PostgreSQL is running and reachable`);
    }
    throw new StoreOpenError(`episode store ${location}: cannot be opened (${detail})`);
  }
}

/** Applies pending migrations in one transaction under an advisory lock. */
async function migrate(pool: pg.Pool, location: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (newest > known) {
      throw new StoreOpenError(
        `episode store ${location}: migrated by a newer version (schema ${newest}, this server knows ${known}); run the newer server, or choose another database`,
      );
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query("INSERT INTO meta (key, value) VALUES ('store_id', $1) ON CONFLICT (key) DO NOTHING", [randomUUID()]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

export class PostgresEpisodeStore implements EpisodeStore {
  readonly kind = 'postgres';
  readonly location: string;
  storeId = '';
  private readonly pool: pg.Pool;
  private readonly retention: RetentionPolicy;
  /** This replica's running count of finished rows (re-read by every prune). */
  private finishedRows = 0;
  private readonly probeId = randomUUID();
  private closed = false;

  /** Use `openPostgresStore` (it migrates first). */
  constructor(pool: pg.Pool, location: string, retention: RetentionPolicy) {
    this.pool = pool;
    this.location = location;
    this.retention = retention;
  }

  async init(): Promise<void> {
    this.storeId = (await this.pool.query<{ value: string }>("SELECT value FROM meta WHERE key = 'store_id'")).rows[0]!.value;
    await this.pruneNow(Date.now());
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`the episode store ${this.location} is closed (${what})`);
    try {
      return await fn();
    } catch (e) {
      throw classify(e, this.location, what);
    }
  }

  /** Runs `fn` in one transaction on one connection. */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: do not return it to the pool
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  createEpisode(ep: EpisodeStart): Promise<void> {
    return this.run('starting an episode', async () => {
      const params = startValues(ep);
      const inserted = await this.pool.query(
        `INSERT INTO episodes (episode_id, task_id, seed, label, transport, created_ms, initial_observation, owner_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (episode_id) DO NOTHING`,
        params,
      );
      if (inserted.rowCount === 1) return;
      // The id is taken: by a kept episode (conflict), or by one evicted in effect (replace it).
      await this.transaction(async (client) => {
        const existing = (
          await client.query<EpisodeRow>(`SELECT e.*, ${LAST_MS} AS last_ms FROM episodes e WHERE e.episode_id = $1 FOR UPDATE`, [ep.episode_id])
        ).rows[0];
        if (existing && !expired(existing, this.retention, ep.created_ms)) throw new StoreConflictError(`episode_id '${ep.episode_id}' is already in use`);
        if (existing) {
          await client.query('DELETE FROM episodes WHERE episode_id = $1', [ep.episode_id]);
          if (existing.finished_ms !== null) this.finishedRows--;
        }
        const again = await client.query(
          `INSERT INTO episodes (episode_id, task_id, seed, label, transport, created_ms, initial_observation, owner_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (episode_id) DO NOTHING`,
          params,
        );
        if (again.rowCount !== 1) throw new StoreConflictError(`episode_id '${ep.episode_id}' is already in use`);
      });
    });
  }

  appendStep(episodeId: string, step: StepRecord, finish: EpisodeFinish | null): Promise<void> {
    return this.run('recording a step', async () => {
      const now = finish?.finished_ms ?? Date.now();
      const insert = async (q: pg.Pool | pg.PoolClient) => {
        try {
          const r = await q.query(
            `INSERT INTO steps (episode_id, t, created_ms, record)
             SELECT $1, $2, $3, $4
             WHERE EXISTS (SELECT 1 FROM episodes WHERE episode_id = $1 AND finished_ms IS NULL)
               AND (SELECT COALESCE(MAX(t), 0) FROM steps WHERE episode_id = $1) = $2::integer - 1`,
            [episodeId, step.t, now, JSON.stringify(step)],
          );
          if (r.rowCount !== 1) await this.explainRefusedStep(q, episodeId, step.t);
        } catch (e) {
          const code = (e as { code?: string }).code;
          // 23505: another writer inserted (episode_id, t) first; 23503: the episode row was deleted meanwhile.
          if (code === '23505') throw new StoreConflictError(`episode '${episodeId}' step ${step.t} was written by another writer`, { cause: e });
          if (code === '23503') throw new StoreMissingError(`episode '${episodeId}' is not in the store`, { cause: e });
          throw e;
        }
      };
      if (finish === null) {
        await insert(this.pool);
        return;
      }
      await this.transaction(async (client) => {
        await insert(client);
        const finished = await client.query(
          `UPDATE episodes SET finished_ms = $1, step_count = $2, final_observation = $3, noise_ratios = $4, grade_data = $5
           WHERE episode_id = $6 AND finished_ms IS NULL`,
          finishValues(episodeId, step.t, finish),
        );
        if (finished.rowCount !== 1) throw new StoreConflictError(`episode '${episodeId}' was finished by another writer`);
      });
      this.finishedRows++;
      if (this.retention.maxCount > 0 && this.finishedRows > this.retention.maxCount) await this.trimToCount();
    });
  }

  discardUnfinished(episodeId: string): Promise<boolean> {
    return this.run('discarding an episode', async () => {
      const r = await this.pool.query('DELETE FROM episodes WHERE episode_id = $1 AND finished_ms IS NULL', [episodeId]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  /** Why a step row did not go in: always throws (contract 4). */
  private async explainRefusedStep(q: pg.Pool | pg.PoolClient, episodeId: string, t: number): Promise<never> {
    const row = (
      await q.query<{ finished_ms: string | null; next: number }>(
        `SELECT e.finished_ms, (SELECT COALESCE(MAX(s.t), 0) + 1 FROM steps s WHERE s.episode_id = e.episode_id) AS next
         FROM episodes e WHERE e.episode_id = $1`,
        [episodeId],
      )
    ).rows[0];
    if (!row) throw new StoreMissingError(`episode '${episodeId}' is not in the store`);
    if (row.finished_ms !== null) throw new StoreConflictError(`episode '${episodeId}' is already finished`);
    throw new StoreConflictError(`episode '${episodeId}' step ${t} conflicts: the store's next step is ${row.next}`);
  }

  private async trimToCount(): Promise<number> {
    const r = await this.pool.query(
      `DELETE FROM episodes WHERE seq IN (
         SELECT seq FROM episodes WHERE finished_ms IS NOT NULL ORDER BY finished_ms DESC, seq DESC OFFSET $1)`,
      [this.retention.maxCount],
    );
    this.finishedRows = Math.min(this.finishedRows - (r.rowCount ?? 0), this.retention.maxCount);
    return r.rowCount ?? 0;
  }

  private async liveRow(episodeId: string, withSteps: boolean): Promise<EpisodeRow | null> {
    const r = await this.pool.query<EpisodeRow>(
      `SELECT e.*, ${LAST_MS} AS last_ms${withSteps ? `, ${STEPS_JSON} AS steps` : ''} FROM episodes e WHERE e.episode_id = $1`,
      [episodeId],
    );
    const row = r.rows[0];
    if (!row || expired(row, this.retention, Date.now())) return null;
    return row;
  }

  getLog(episodeId: string): Promise<EpisodeLog | null> {
    return this.run('reading an episode', async () => {
      const row = await this.liveRow(episodeId, true);
      if (!row) return null;
      return toLog(row, JSON.parse(row.steps ?? '[]') as StepRecord[]);
    });
  }

  stepsAfter(episodeId: string, afterT: number): Promise<StepRecord[] | null> {
    return this.run('reading an episode', async () => {
      // One round trip: the episode row (is it kept?) and its steps past `afterT`, usually none.
      const r = await this.pool.query<EpisodeRow>(
        `SELECT e.finished_ms, e.created_ms, ${LAST_MS} AS last_ms,
           (SELECT '[' || COALESCE(string_agg(s.record, ',' ORDER BY s.t), '') || ']' FROM steps s
             WHERE s.episode_id = e.episode_id AND s.t > $2) AS steps
         FROM episodes e WHERE e.episode_id = $1`,
        [episodeId, afterT],
      );
      const row = r.rows[0];
      if (!row || expired(row, this.retention, Date.now())) return null;
      return JSON.parse(row.steps ?? '[]') as StepRecord[];
    });
  }

  getCompleted(episodeId: string): Promise<CompletedEpisode | null> {
    return this.run('reading an episode', async () => {
      const row = await this.liveRow(episodeId, true);
      if (!row || row.finished_ms === null) return null;
      return { ...toSummary(row), initial_observation: JSON.parse(row.initial_observation), steps: JSON.parse(row.steps ?? '[]') as StepRecord[] };
    });
  }

  getSummary(episodeId: string): Promise<EpisodeSummary | null> {
    return this.run('reading an episode', async () => {
      const row = (
        await this.pool.query<EpisodeRow>(`SELECT ${SUMMARY_COLUMNS} FROM episodes WHERE episode_id = $1 AND finished_ms IS NOT NULL`, [episodeId])
      ).rows[0];
      if (!row) return null;
      const cutoff = finishedCutoff(this.retention, Date.now());
      return cutoff !== null && num(row.finished_ms!) < cutoff ? null : toSummary(row);
    });
  }

  list(query: ListQuery): Promise<ListPage> {
    return this.run('listing episodes', async () => {
      const where = ['finished_ms IS NOT NULL'];
      const params: (string | number)[] = [];
      const param = (v: string | number) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (query.task_id !== undefined) where.push(`task_id = ${param(query.task_id)}`);
      if (query.owner_key !== undefined) where.push(query.owner_key === null ? 'owner_key IS NULL' : `owner_key = ${param(query.owner_key)}`);
      const cutoff = finishedCutoff(this.retention, Date.now());
      if (cutoff !== null) where.push(`finished_ms >= ${param(cutoff)}`);
      if (query.before) {
        // Row comparison matches the index order (finished_ms DESC, seq DESC).
        where.push(`(finished_ms, seq) < (${param(query.before.finished_ms)}::bigint, ${param(query.before.seq)}::bigint)`);
      }
      // One row more than asked tells whether another page exists.
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM episodes WHERE ${where.join(' AND ')}
        ORDER BY finished_ms DESC, seq DESC LIMIT ${param(query.limit + 1)}`;
      const rows = (await this.pool.query<EpisodeRow>(sql, params)).rows;
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      const last = page[page.length - 1];
      const next: Cursor | null = more && last ? { finished_ms: num(last.finished_ms!), seq: num(last.seq) } : null;
      return { episodes: page.map(toSummary), next };
    });
  }

  countFinished(): Promise<number> {
    return this.run('counting episodes', async () => {
      const cutoff = finishedCutoff(this.retention, Date.now());
      const r = await this.pool.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM episodes WHERE finished_ms IS NOT NULL${cutoff !== null ? ' AND finished_ms >= $1' : ''}`,
        cutoff !== null ? [cutoff] : [],
      );
      return num(r.rows[0]!.n);
    });
  }

  prune(nowMs = Date.now()): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    return this.run('applying retention', () => this.pruneNow(nowMs));
  }

  private async pruneNow(nowMs: number): Promise<number> {
    let evicted = 0;
    const ageCutoff = finishedCutoff(this.retention, nowMs);
    if (ageCutoff !== null) {
      evicted += (await this.pool.query('DELETE FROM episodes WHERE finished_ms IS NOT NULL AND finished_ms < $1', [ageCutoff])).rowCount ?? 0;
    }
    // Other replicas finish episodes too: start from the true count.
    this.finishedRows = num((await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM episodes WHERE finished_ms IS NOT NULL')).rows[0]!.n);
    if (this.retention.maxCount > 0 && this.finishedRows > this.retention.maxCount) evicted += await this.trimToCount();
    const idleCutoff = unfinishedCutoff(this.retention, nowMs);
    if (idleCutoff !== null) {
      evicted +=
        (
          await this.pool.query(
            `DELETE FROM episodes WHERE seq IN (
               SELECT e.seq FROM episodes e WHERE e.finished_ms IS NULL AND e.created_ms < $1 AND ${LAST_MS} < $1)`,
            [idleCutoff],
          )
        ).rowCount ?? 0;
    }
    return evicted;
  }

  probeWrite(): Promise<void> {
    return this.run('probing a write', async () => {
      await this.pool.query('INSERT INTO probe (id, at_ms) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms', [
        this.probeId,
        Date.now(),
      ]);
      await this.pool.query('DELETE FROM probe WHERE id = $1', [this.probeId]);
    });
  }

  integrityCheck(): Promise<string> {
    return this.run('checking integrity', async () => {
      const problems: string[] = [];
      const gaps = await this.pool.query<{ episode_id: string }>(
        `SELECT episode_id FROM steps GROUP BY episode_id HAVING MAX(t) <> COUNT(*) OR MIN(t) <> 1 LIMIT 5`,
      );
      if (gaps.rows.length) problems.push(`steps missing in episodes ${gaps.rows.map((r) => r.episode_id).join(', ')}`);
      const counts = await this.pool.query<{ episode_id: string }>(
        `SELECT e.episode_id FROM episodes e WHERE e.finished_ms IS NOT NULL
           AND e.step_count <> (SELECT COUNT(*) FROM steps s WHERE s.episode_id = e.episode_id) LIMIT 5`,
      );
      if (counts.rows.length) problems.push(`step count differs from the log in episodes ${counts.rows.map((r) => r.episode_id).join(', ')}`);
      return problems.length ? problems.join('; ') : 'ok';
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
