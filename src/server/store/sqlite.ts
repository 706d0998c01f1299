/**
 * The embedded SQLite store (node:sqlite, synchronous). Synchronous is deliberate: a save happens
 * inside the step that finished the episode, so the episode is durable before its reply leaves,
 * and no other request can observe it half-written. WAL keeps readers and the writer apart and
 * makes each commit one sequential append.
 *
 * Numbers are stored as JSON text: JSON writes the shortest decimal that round-trips to the same
 * double, so a restart grades bit-for-bit what the live episode would have.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { CompletedEpisode, EpisodeStore, EpisodeSummary, ListPage, ListQuery, RetentionPolicy } from './types.ts';

const SCHEMA_VERSION = 1;

interface Row {
  seq: number;
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  step_count: number;
  finished_ms: number;
  final_observation: string;
  noise_ratios: string;
  initial_observation?: string;
  steps?: string;
}

const SUMMARY_COLUMNS = 'seq, episode_id, task_id, seed, label, step_count, finished_ms, final_observation, noise_ratios';

function toSummary(row: Row): EpisodeSummary {
  return {
    episode_id: row.episode_id,
    task_id: row.task_id,
    seed: row.seed,
    label: row.label,
    step_count: row.step_count,
    finished_ms: row.finished_ms,
    final_observation: JSON.parse(row.final_observation),
    noise_ratios: JSON.parse(row.noise_ratios),
  };
}

export class SqliteEpisodeStore implements EpisodeStore {
  private readonly db: DatabaseSync;
  private readonly retention: RetentionPolicy;
  private readonly insert: StatementSync;
  private readonly byId: StatementSync;
  private readonly summaryById: StatementSync;
  private readonly exists: StatementSync;
  private readonly countAll: StatementSync;
  private readonly deleteOlderThan: StatementSync;
  private readonly deleteStaleId: StatementSync;
  private readonly deleteBeyondCount: StatementSync;
  private closed = false;
  /** Rows in the table, kept in step with inserts and deletes so the count rule costs nothing until it applies. */
  private rows = 0;

  /** Opens (and creates) the store at `file`; `:memory:` for a throw-away store. */
  constructor(file: string, retention: RetentionPolicy) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new DatabaseSync(file);
    this.retention = retention;
    this.db.exec('PRAGMA journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS episodes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        episode_id TEXT NOT NULL UNIQUE,
        task_id TEXT NOT NULL,
        seed INTEGER NOT NULL,
        label TEXT,
        step_count INTEGER NOT NULL,
        finished_ms INTEGER NOT NULL,
        initial_observation TEXT NOT NULL,
        final_observation TEXT NOT NULL,
        noise_ratios TEXT NOT NULL,
        steps TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS episodes_order ON episodes (finished_ms DESC, seq DESC);
      CREATE INDEX IF NOT EXISTS episodes_task_order ON episodes (task_id, finished_ms DESC, seq DESC);
    `);
    this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
    this.insert = this.db.prepare(`INSERT OR IGNORE INTO episodes
      (episode_id, task_id, seed, label, step_count, finished_ms, initial_observation, final_observation, noise_ratios, steps)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.byId = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, initial_observation, steps FROM episodes WHERE episode_id = ?`);
    this.summaryById = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM episodes WHERE episode_id = ?`);
    this.exists = this.db.prepare('SELECT 1 AS one FROM episodes WHERE episode_id = ?');
    this.countAll = this.db.prepare('SELECT COUNT(*) AS n FROM episodes');
    this.deleteOlderThan = this.db.prepare('DELETE FROM episodes WHERE finished_ms < ?');
    this.deleteStaleId = this.db.prepare('DELETE FROM episodes WHERE episode_id = ? AND finished_ms < ?');
    this.deleteBeyondCount = this.db.prepare(
      'DELETE FROM episodes WHERE seq IN (SELECT seq FROM episodes ORDER BY finished_ms DESC, seq DESC LIMIT -1 OFFSET ?)',
    );
    this.rows = this.count();
    this.prune();
  }

  save(ep: CompletedEpisode): boolean {
    // A row past its age is evicted even before prune() removes it; its id may be used again.
    const cutoff = this.cutoff();
    if (cutoff !== null) this.rows -= Number(this.deleteStaleId.run(ep.episode_id, cutoff).changes);
    const result = this.insert.run(
      ep.episode_id,
      ep.task_id,
      ep.seed,
      ep.label,
      ep.step_count,
      ep.finished_ms,
      JSON.stringify(ep.initial_observation),
      JSON.stringify(ep.final_observation),
      JSON.stringify(ep.noise_ratios),
      JSON.stringify(ep.steps),
    );
    if (result.changes === 0) return false;
    this.rows += 1;
    if (this.retention.maxCount > 0 && this.rows > this.retention.maxCount) {
      this.rows -= Number(this.deleteBeyondCount.run(this.retention.maxCount).changes);
    }
    return true;
  }

  /** Age cutoff in epoch ms, or null without an age limit; rows older than it count as evicted. */
  private cutoff(nowMs = Date.now()): number | null {
    return this.retention.maxAgeS > 0 ? nowMs - this.retention.maxAgeS * 1000 : null;
  }

  private fresh(row: Row | undefined): Row | null {
    if (!row) return null;
    const cutoff = this.cutoff();
    return cutoff !== null && row.finished_ms < cutoff ? null : row;
  }

  get(episodeId: string): CompletedEpisode | null {
    const row = this.fresh(this.byId.get(episodeId) as Row | undefined);
    if (!row) return null;
    return {
      ...toSummary(row),
      initial_observation: JSON.parse(row.initial_observation!),
      steps: JSON.parse(row.steps!),
    };
  }

  getSummary(episodeId: string): EpisodeSummary | null {
    const row = this.fresh(this.summaryById.get(episodeId) as Row | undefined);
    return row ? toSummary(row) : null;
  }

  /** True while the id names a stored, not yet evicted episode (a reset reusing it gets 409). */
  has(episodeId: string): boolean {
    if (this.cutoff() === null) return this.exists.get(episodeId) !== undefined;
    return this.getSummary(episodeId) !== null;
  }

  list(query: ListQuery): ListPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.task_id !== undefined) {
      where.push('task_id = ?');
      params.push(query.task_id);
    }
    const cutoff = this.cutoff();
    if (cutoff !== null) {
      where.push('finished_ms >= ?');
      params.push(cutoff);
    }
    if (query.before) {
      where.push('(finished_ms < ? OR (finished_ms = ? AND seq < ?))');
      params.push(query.before.finished_ms, query.before.finished_ms, query.before.seq);
    }
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM episodes ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY finished_ms DESC, seq DESC LIMIT ?`;
    // One row more than asked tells whether another page exists.
    const rows = this.db.prepare(sql).all(...params, query.limit + 1) as unknown as Row[];
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      episodes: page.map(toSummary),
      next: more && last ? { finished_ms: last.finished_ms, seq: last.seq } : null,
    };
  }

  count(): number {
    return (this.countAll.get() as { n: number }).n;
  }

  prune(nowMs = Date.now()): number {
    if (this.closed) return 0;
    let evicted = 0;
    const cutoff = this.cutoff(nowMs);
    if (cutoff !== null) evicted += Number(this.deleteOlderThan.run(cutoff).changes);
    if (this.retention.maxCount > 0 && this.rows - evicted > this.retention.maxCount) {
      evicted += Number(this.deleteBeyondCount.run(this.retention.maxCount).changes);
    }
    this.rows -= evicted;
    return evicted;
  }

  integrityCheck(): string {
    const rows = this.db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
