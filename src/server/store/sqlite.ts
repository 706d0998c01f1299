/**
 * The embedded SQLite store (node:sqlite). node:sqlite is synchronous: each call below is one
 * short statement (a step is one INSERT in WAL mode, a sequential append with no fsync), run
 * inside a Promise-returning method so callers are written for any backend. That append is the
 * whole cost durability needs; nothing else blocks a step.
 *
 * Numbers are stored as JSON text: JSON writes the shortest decimal that round-trips to the same
 * double, so a restart replays and grades bit-for-bit what the live episode did.
 *
 * Start-up checks (`openSqliteStore`): the file must be a readable, writable, undamaged SQLite
 * database (`PRAGMA quick_check`), and a marker file beside it (`<file>.store-id`, holding the
 * store's id) tells a store that existed and vanished (missing or 0-byte file) from a first
 * start; any failure is a `StoreOpenError` with one line naming the file, the cause and the fix.
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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
import { LAST_MS, SUMMARY_COLUMNS, expired, finishValues, finishedCutoff, startValues, toLog, toSummary, unfinishedCutoff, type EpisodeRow as Row } from './rows.ts';

/** node:sqlite returns INTEGER columns as numbers. */
type EpisodeRow = Row<number>;

/** 1: finished episodes only, steps as one JSON array. 2: episode rows at reset, one row per step. */
const SCHEMA_VERSION = 3;

/** One row per accepted step, its record as JSON (a rowid table: see `rebuildStepsAsRowidTable`). */
const STEPS_TABLE = `CREATE TABLE IF NOT EXISTS steps (
    episode_id TEXT NOT NULL REFERENCES episodes (episode_id) ON DELETE CASCADE,
    t INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (episode_id, t)
  );`;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS episodes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    episode_id TEXT NOT NULL UNIQUE,
    task_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    label TEXT,
    transport TEXT NOT NULL,
    owner_key TEXT,
    created_ms INTEGER NOT NULL,
    initial_observation TEXT NOT NULL,
    finished_ms INTEGER,
    step_count INTEGER,
    final_observation TEXT,
    noise_ratios TEXT,
    grade_data TEXT
  );
  CREATE INDEX IF NOT EXISTS episodes_finished ON episodes (finished_ms DESC, seq DESC) WHERE finished_ms IS NOT NULL;
  CREATE INDEX IF NOT EXISTS episodes_task_finished ON episodes (task_id, finished_ms DESC, seq DESC) WHERE finished_ms IS NOT NULL;
  CREATE INDEX IF NOT EXISTS episodes_unfinished ON episodes (created_ms) WHERE finished_ms IS NULL;
  ${STEPS_TABLE}
  CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, filler BLOB NOT NULL);
`;

/** SQLite's primary result code of a node:sqlite error, or null for other errors. */
function sqliteCode(e: unknown): number | null {
  const errcode = (e as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode & 0xff : null;
}

const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;
const SQLITE_CONSTRAINT = 19;
/** BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL: the store cannot work now. */
const UNAVAILABLE = new Set([5, 6, 7, 8, 10, 13, 14, 15]);

/** Turns a failure of node:sqlite into the store's typed errors (contract 5); other errors pass. */
function classify(e: unknown, file: string, what: string): unknown {
  const code = sqliteCode(e);
  const detail = e instanceof Error ? e.message : String(e);
  // A row whose JSON does not parse was damaged outside this server: the store holds bad data.
  if (code === SQLITE_CORRUPT || code === SQLITE_NOTADB || e instanceof SyntaxError) {
    return new StoreCorruptError(`the episode store ${file} is damaged (${detail}) while ${what}`, { cause: e });
  }
  if (code !== null && UNAVAILABLE.has(code)) {
    return new StoreUnavailableError(`the episode store ${file} cannot be used now (${detail}) while ${what}`, { cause: e });
  }
  if ((e as { code?: unknown } | null)?.code === 'ERR_INVALID_STATE') {
    return new StoreUnavailableError(`the episode store ${file} is closed (${what})`, { cause: e });
  }
  return e;
}

export interface SqliteStoreOptions {
  /** A file, or `:memory:` for a throw-away store. */
  file: string;
  retention: RetentionPolicy;
  /**
   * How long a call waits for another process's write lock (`--workers`, other servers on the
   * file) before it fails as unavailable (default 5000 ms). It waits on the event loop, never in
   * SQLite's busy handler, which sleeps the whole process: see `run`.
   */
  busyTimeoutMs?: number;
}

const SQLITE_BUSY = 5;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Retries of a busy call: a few on the next turns of the event loop, then timers of 1, 2, 4 … 16 ms. */
const BUSY_IMMEDIATE_RETRIES = 8;
function busyPause(attempt: number): Promise<void> {
  return new Promise((resolve) => {
    if (attempt < BUSY_IMMEDIATE_RETRIES) setImmediate(resolve);
    else setTimeout(resolve, Math.min(2 ** (attempt - BUSY_IMMEDIATE_RETRIES), 16));
  });
}

/** The marker beside a store file: it says a store was created there, and which one. */
export function markerPath(file: string): string {
  return `${file}.store-id`;
}

function openError(file: string, cause: string, fix: string): StoreOpenError {
  return new StoreOpenError(`episode store ${file}: ${cause}; ${fix}`);
}

/** Why the store file or its directory cannot be written (SQLite needs both for its WAL), or null. */
function readOnlyCause(file: string): string | null {
  for (const target of [file, path.dirname(path.resolve(file))]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return `${code} on ${target}`;
    }
  }
  return null;
}

/** The one line for a failure of node:sqlite while opening. */
function describeOpenFailure(file: string, e: unknown): StoreOpenError {
  const code = sqliteCode(e);
  const detail = e instanceof Error ? e.message : String(e);
  if (code === SQLITE_NOTADB) {
    return openError(file, `not a SQLite database (${detail}: header damaged or another file)`, 'restore it from a backup, or move it aside to start a new empty store');
  }
  if (code === SQLITE_CORRUPT) {
    return openError(file, `damaged (${detail})`, "restore it from a backup, or move it aside to start a new empty store (sqlite3's .recover may salvage its rows)");
  }
  if (code === 8) {
    return openError(file, `read-only (${detail})`, 'make the file and its directory writable by this user, or choose another with STORE_PATH / DATA_DIR');
  }
  if (code === 14 || code === 10) {
    const readOnly = readOnlyCause(file);
    if (readOnly) return openError(file, `read-only (${readOnly})`, 'make the file and its directory writable by this user, or choose another with STORE_PATH / DATA_DIR');
    return openError(file, `cannot be opened or written (${detail})`, 'check that the file and its directory exist and are readable and writable by this user, or choose another with STORE_PATH / DATA_DIR');
  }
  if (code === 13) {
    return openError(file, `the disk is full (${detail})`, 'free some space');
  }
  if (code === 5 || code === 6) {
    return openError(file, `locked by another process (${detail})`, 'stop the other process using it, or choose another store');
  }
  return openError(file, `cannot be opened (${detail})`, 'check the file, or choose another with STORE_PATH / DATA_DIR');
}

/**
 * Opens the store at `file` after the start-up checks; throws `StoreOpenError` (one line) when it
 * cannot be used. A missing file without a marker is a first start: the store is created.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteEpisodeStore {
  const { file } = options;
  if (file === ':memory:') return new SqliteEpisodeStore(new DatabaseSync(':memory:'), options);
  const marker = markerPath(file);
  const dir = path.dirname(path.resolve(file));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw openError(file, `its directory cannot be created (${(e as Error).message})`, 'create it, make it writable, or choose another with STORE_PATH / DATA_DIR');
  }
  let markerId: string | null = null;
  if (existsSync(marker)) {
    try {
      markerId = (JSON.parse(readFileSync(marker, 'utf8')) as { store_id?: unknown }).store_id as string;
    } catch (e) {
      throw openError(file, `its marker ${marker} cannot be read (${(e as Error).message})`, 'make it readable, or delete it if this store is the right one');
    }
  }
  let size: number | null = null;
  try {
    size = statSync(file).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw openError(file, `cannot be read (${(e as Error).message})`, 'make it readable by this user, or choose another with STORE_PATH / DATA_DIR');
    }
  }
  if (markerId !== null && (size === null || size === 0)) {
    throw openError(
      file,
      `${size === null ? 'missing' : 'empty (0 bytes)'}, but a store existed here (marker ${marker}, store id ${markerId})`,
      `restore the file from a backup, or delete ${marker} to start a new empty store`,
    );
  }
  if (size === 0) {
    // SQLite itself never leaves a 0-byte database behind once it has written one table.
    throw openError(file, 'empty (0 bytes), so it is not a store this server wrote (truncated?)', 'restore it from a backup, or delete it to start a new empty store');
  }

  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(file);
    const check = (db.prepare('PRAGMA quick_check').all() as { quick_check: string }[]).map((r) => r.quick_check).join('; ');
    if (check !== 'ok') {
      throw openError(file, `damaged (quick_check: ${check.slice(0, 200)})`, "restore it from a backup, or move it aside to start a new empty store (sqlite3's .recover may salvage its rows)");
    }
    const store = new SqliteEpisodeStore(db, options);
    const storeId = store.storeId;
    if (markerId !== null && markerId !== storeId) {
      throw openError(file, `not the store that was here (its id is ${storeId}, the marker ${marker} says ${markerId})`, `put the right file back, or delete ${marker} to accept this one`);
    }
    if (markerId === null) {
      try {
        writeFileSync(marker, `${JSON.stringify({ store_id: storeId, created: new Date().toISOString() })}\n`);
      } catch (e) {
        throw openError(file, `its marker ${marker} cannot be written (${(e as Error).message})`, 'make the directory writable by this user');
      }
    }
    return store;
  } catch (e) {
    try {
      db?.close();
    } catch {
      // already closed or never opened: nothing to release
    }
    if (e instanceof StoreOpenError) throw e;
    throw describeOpenFailure(file, e);
  }
}

export class SqliteEpisodeStore implements EpisodeStore {
  readonly kind = 'sqlite';
  readonly location: string;
  readonly storeId: string;
  private readonly db: DatabaseSync;
  private readonly retention: RetentionPolicy;
  private readonly insertEpisode: StatementSync;
  private readonly insertStep: StatementSync;
  private readonly finishEpisode: StatementSync;
  private readonly episodeById: StatementSync;
  private readonly stepsById: StatementSync;
  private readonly summaryById: StatementSync;
  private readonly nextIndex: StatementSync;
  private readonly countFinishedRows: StatementSync;
  private readonly deleteById: StatementSync;
  private readonly deleteUnfinishedById: StatementSync;
  private readonly stepsAfterT: StatementSync;
  private readonly deleteOldFinished: StatementSync;
  private readonly deleteIdleUnfinished: StatementSync;
  private readonly deleteBeyondCount: StatementSync;
  private readonly probeInsert: StatementSync;
  private readonly probeDelete: StatementSync;
  private closed = false;
  /** Finished rows, kept in step with inserts and deletes so the count rule costs nothing until it applies. */
  private finishedRows = 0;
  private readonly busyTimeoutMs: number;

  /** Use `openSqliteStore` (it runs the start-up checks first). */
  constructor(db: DatabaseSync, options: SqliteStoreOptions) {
    this.db = db;
    this.location = options.file;
    this.retention = options.retention;
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`PRAGMA busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`); // start-up (migration, first prune) may wait
    db.exec('PRAGMA foreign_keys = ON');
    this.migrate();
    this.storeId = (db.prepare("SELECT value FROM meta WHERE key = 'store_id'").get() as { value: string }).value;

    this.insertEpisode = db.prepare(`INSERT INTO episodes
      (episode_id, task_id, seed, label, transport, created_ms, initial_observation, owner_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    // The step row goes in only while the episode is unfinished and `t` is its next index (contract 4).
    this.insertStep = db.prepare(`INSERT INTO steps (episode_id, t, created_ms, record)
      SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM episodes WHERE episode_id = ?1 AND finished_ms IS NULL)
        AND (SELECT COALESCE(MAX(t), 0) FROM steps WHERE episode_id = ?1) = ?2 - 1`);
    this.finishEpisode = db.prepare(`UPDATE episodes SET finished_ms = ?, step_count = ?, final_observation = ?, noise_ratios = ?, grade_data = ?
      WHERE episode_id = ? AND finished_ms IS NULL`);
    this.episodeById = db.prepare(`SELECT e.*, ${LAST_MS} AS last_ms FROM episodes e WHERE e.episode_id = ?`);
    this.stepsById = db.prepare('SELECT record FROM steps WHERE episode_id = ? ORDER BY t');
    this.summaryById = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM episodes WHERE episode_id = ? AND finished_ms IS NOT NULL`);
    this.nextIndex = db.prepare('SELECT COALESCE(MAX(t), 0) + 1 AS next FROM steps WHERE episode_id = ?');
    this.countFinishedRows = db.prepare('SELECT COUNT(*) AS n FROM episodes WHERE finished_ms IS NOT NULL');
    this.deleteById = db.prepare('DELETE FROM episodes WHERE episode_id = ?');
    this.deleteUnfinishedById = db.prepare('DELETE FROM episodes WHERE episode_id = ? AND finished_ms IS NULL');
    this.stepsAfterT = db.prepare('SELECT record FROM steps WHERE episode_id = ? AND t > ? ORDER BY t');
    this.deleteOldFinished = db.prepare('DELETE FROM episodes WHERE finished_ms IS NOT NULL AND finished_ms < ?');
    this.deleteIdleUnfinished = db.prepare(`DELETE FROM episodes WHERE seq IN (
      SELECT e.seq FROM episodes e WHERE e.finished_ms IS NULL AND e.created_ms < ?1 AND ${LAST_MS} < ?1)`);
    this.deleteBeyondCount = db.prepare(`DELETE FROM episodes WHERE seq IN (
      SELECT seq FROM episodes WHERE finished_ms IS NOT NULL ORDER BY finished_ms DESC, seq DESC LIMIT -1 OFFSET ?)`);
    this.probeInsert = db.prepare('INSERT INTO probe (id, filler) VALUES (1, zeroblob(8192))');
    this.probeDelete = db.prepare('DELETE FROM probe WHERE id = 1');
    this.finishedRows = (this.countFinishedRows.get() as { n: number }).n;
    this.pruneNow(Date.now());
    // From here on a busy lock is waited for without blocking the process (`run`).
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    db.exec('PRAGMA busy_timeout = 0');
  }

  /** Creates the schema, or upgrades a version-1 store (finished episodes, steps as one JSON array). */
  private migrate(): void {
    const db = this.db;
    const hasMeta = db.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    const version = hasMeta
      ? Number((db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value ?? 0)
      : 0;
    if (version > SCHEMA_VERSION) {
      throw new StoreOpenError(
        `episode store ${this.location}: written by a newer version (schema ${version}, this server knows ${SCHEMA_VERSION}); run the newer server, or choose another store`,
      );
    }
    db.exec('BEGIN IMMEDIATE');
    try {
      if (version === 1) {
        db.exec('ALTER TABLE episodes RENAME TO episodes_v1; DROP INDEX IF EXISTS episodes_order; DROP INDEX IF EXISTS episodes_task_order;');
      }
      db.exec(SCHEMA);
      // Version-2 stores made before the curation family lack grade_data (nullable: classic rows need none).
      const columns = db.prepare('PRAGMA table_info(episodes)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'grade_data')) db.exec('ALTER TABLE episodes ADD COLUMN grade_data TEXT');
      // Version 3 adds the key id of each episode's creator (episodes from before had none).
      if (!columns.some((c) => c.name === 'owner_key')) db.exec('ALTER TABLE episodes ADD COLUMN owner_key TEXT');
      if (version === 1) this.copyVersion1();
      this.rebuildStepsAsRowidTable();
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(SCHEMA_VERSION));
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)").run(randomUUID());
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }

  /**
   * Stores made before this layout keep their steps in a WITHOUT ROWID table: there a ~600-byte
   * record sits in the key's B-tree, a few rows per page, and each step lands at a random place
   * (episode ids are random), so an append splits and rewrites pages, and costs grow with the
   * table (≈ 28 → 106 µs per insert from 0 to 150,000 rows in memory, against 22–48 µs for a rowid
   * table, whose records go at the end and whose key index holds only the small key). Same
   * columns and constraints, so no schema version: an older server opens the rebuilt file as is.
   */
  private rebuildStepsAsRowidTable(): void {
    const db = this.db;
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'steps'").get() as { sql: string }).sql;
    if (!/WITHOUT\s+ROWID/i.test(sql)) return;
    db.exec(`ALTER TABLE steps RENAME TO steps_without_rowid;
      ${STEPS_TABLE}
      INSERT INTO steps (episode_id, t, created_ms, record) SELECT episode_id, t, created_ms, record FROM steps_without_rowid ORDER BY created_ms, episode_id, t;
      DROP TABLE steps_without_rowid;`);
  }

  private copyVersion1(): void {
    const db = this.db;
    const insertEpisode = db.prepare(`INSERT INTO episodes (seq, episode_id, task_id, seed, label, transport, created_ms,
      initial_observation, finished_ms, step_count, final_observation, noise_ratios) VALUES (?, ?, ?, ?, ?, 'http', ?, ?, ?, ?, ?, ?)`);
    const insertStep = db.prepare('INSERT INTO steps (episode_id, t, created_ms, record) VALUES (?, ?, ?, ?)');
    for (const row of db.prepare('SELECT * FROM episodes_v1 ORDER BY seq').iterate() as Iterable<Record<string, never>>) {
      const r = row as unknown as EpisodeRow & { steps: string };
      insertEpisode.run(r.seq, r.episode_id, r.task_id, r.seed, r.label, r.finished_ms, r.initial_observation, r.finished_ms, r.step_count, r.final_observation, r.noise_ratios);
      for (const step of JSON.parse(r.steps) as StepRecord[]) insertStep.run(r.episode_id, step.t, r.finished_ms, JSON.stringify(step));
    }
    db.exec('DROP TABLE episodes_v1');
  }

  /** Ends a failed transaction (SQLite may already have rolled it back, e.g. on a full disk). */
  private rollback(): void {
    if (this.db.isTransaction) this.db.exec('ROLLBACK');
  }

  /**
   * Runs `fn`, turning node:sqlite failures into the typed errors of the contract. The connection
   * has no busy timeout after start-up: SQLite's busy handler would sleep (1, 2, 5 … ms at a time)
   * with the whole process, so one worker's steps stalled while another worker held the write
   * lock. A busy call is retried here instead, from the event loop, until `busyTimeoutMs` has
   * passed (then unavailable, as the busy timeout was). `fn` changes nothing when it fails busy
   * (a single statement, or a transaction rolled back), so running it again is safe.
   */
  private run<T>(what: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      if (sqliteCode(e) === SQLITE_BUSY && this.busyTimeoutMs > 0) return this.retryBusy(what, fn, Date.now() + this.busyTimeoutMs);
      return Promise.reject(classify(e, this.location, what));
    }
  }

  private async retryBusy<T>(what: string, fn: () => T, deadline: number): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await busyPause(attempt);
      try {
        return fn();
      } catch (e) {
        if (sqliteCode(e) !== SQLITE_BUSY || Date.now() >= deadline) throw classify(e, this.location, what);
      }
    }
  }

  private liveRow(episodeId: string): EpisodeRow | null {
    const row = this.episodeById.get(episodeId) as EpisodeRow | undefined;
    if (!row || expired(row, this.retention, Date.now())) return null;
    return row;
  }

  createEpisode(ep: EpisodeStart): Promise<void> {
    return this.run('starting an episode', () => {
      const existing = this.episodeById.get(ep.episode_id) as EpisodeRow | undefined;
      if (existing) {
        if (!expired(existing, this.retention, ep.created_ms)) {
          throw new StoreConflictError(`episode_id '${ep.episode_id}' is already in use`);
        }
        // Evicted in effect: the id may be used again (both statements in one transaction).
        this.db.exec('BEGIN IMMEDIATE');
        let deleted = 0;
        try {
          deleted = Number(this.deleteById.run(ep.episode_id).changes);
          this.insertNew(ep);
          this.db.exec('COMMIT');
        } catch (e) {
          this.rollback();
          throw e;
        }
        if (deleted > 0 && existing.finished_ms !== null) this.finishedRows--;
        return;
      }
      this.insertNew(ep);
    });
  }

  private insertNew(ep: EpisodeStart): void {
    try {
      this.insertEpisode.run(...startValues(ep));
    } catch (e) {
      if (sqliteCode(e) === SQLITE_CONSTRAINT) throw new StoreConflictError(`episode_id '${ep.episode_id}' is already in use`, { cause: e });
      throw e;
    }
  }

  appendStep(episodeId: string, step: StepRecord, finish: EpisodeFinish | null): Promise<void> {
    return this.run('recording a step', () => {
      const now = finish?.finished_ms ?? Date.now();
      if (finish === null) {
        const changes = Number(this.insertStep.run(episodeId, step.t, now, JSON.stringify(step)).changes);
        if (changes !== 1) this.explainRefusedStep(episodeId, step.t);
        return;
      }
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const changes = Number(this.insertStep.run(episodeId, step.t, now, JSON.stringify(step)).changes);
        if (changes !== 1) this.explainRefusedStep(episodeId, step.t);
        const finished = this.finishEpisode.run(...finishValues(episodeId, step.t, finish));
        if (Number(finished.changes) !== 1) throw new StoreConflictError(`episode '${episodeId}' was finished by another writer`);
        this.db.exec('COMMIT');
      } catch (e) {
        this.rollback();
        throw e;
      }
      this.finishedRows++;
      if (this.retention.maxCount > 0 && this.finishedRows > this.retention.maxCount) {
        this.finishedRows -= Number(this.deleteBeyondCount.run(this.retention.maxCount).changes);
      }
    });
  }

  /** Why a step row did not go in: always throws (contract 4). */
  private explainRefusedStep(episodeId: string, t: number): never {
    const row = this.episodeById.get(episodeId) as EpisodeRow | undefined;
    if (!row) throw new StoreMissingError(`episode '${episodeId}' is not in the store`);
    if (row.finished_ms !== null) throw new StoreConflictError(`episode '${episodeId}' is already finished`);
    const next = (this.nextIndex.get(episodeId) as { next: number }).next;
    throw new StoreConflictError(`episode '${episodeId}' step ${t} conflicts: the store's next step is ${next}`);
  }

  discardUnfinished(episodeId: string): Promise<boolean> {
    return this.run('discarding an episode', () => Number(this.deleteUnfinishedById.run(episodeId).changes) > 0);
  }

  stepsAfter(episodeId: string, afterT: number): Promise<StepRecord[] | null> {
    return this.run('reading an episode', () => {
      if (!this.liveRow(episodeId)) return null;
      return (this.stepsAfterT.all(episodeId, afterT) as { record: string }[]).map((r) => JSON.parse(r.record) as StepRecord);
    });
  }

  private readSteps(episodeId: string): StepRecord[] {
    return (this.stepsById.all(episodeId) as { record: string }[]).map((r) => JSON.parse(r.record) as StepRecord);
  }

  getLog(episodeId: string): Promise<EpisodeLog | null> {
    return this.run('reading an episode', () => {
      const row = this.liveRow(episodeId);
      if (!row) return null;
      return toLog(row, this.readSteps(episodeId));
    });
  }

  getCompleted(episodeId: string): Promise<CompletedEpisode | null> {
    return this.run('reading an episode', () => {
      const row = this.liveRow(episodeId);
      if (!row || row.finished_ms === null) return null;
      return { ...toSummary(row), initial_observation: JSON.parse(row.initial_observation), steps: this.readSteps(episodeId) };
    });
  }

  getSummary(episodeId: string): Promise<EpisodeSummary | null> {
    return this.run('reading an episode', () => {
      const row = this.summaryById.get(episodeId) as EpisodeRow | undefined;
      if (!row) return null;
      const cutoff = finishedCutoff(this.retention, Date.now());
      return cutoff !== null && row.finished_ms! < cutoff ? null : toSummary(row);
    });
  }

  list(query: ListQuery): Promise<ListPage> {
    return this.run('listing episodes', () => {
      const where = ['finished_ms IS NOT NULL'];
      const params: (string | number)[] = [];
      if (query.task_id !== undefined) {
        where.push('task_id = ?');
        params.push(query.task_id);
      }
      if (query.owner_key !== undefined) {
        where.push(query.owner_key === null ? 'owner_key IS NULL' : 'owner_key = ?');
        if (query.owner_key !== null) params.push(query.owner_key);
      }
      const cutoff = finishedCutoff(this.retention, Date.now());
      if (cutoff !== null) {
        where.push('finished_ms >= ?');
        params.push(cutoff);
      }
      if (query.before) {
        where.push('(finished_ms < ? OR (finished_ms = ? AND seq < ?))');
        params.push(query.before.finished_ms, query.before.finished_ms, query.before.seq);
      }
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM episodes WHERE ${where.join(' AND ')} ORDER BY finished_ms DESC, seq DESC LIMIT ?`;
      // One row more than asked tells whether another page exists.
      const rows = this.db.prepare(sql).all(...params, query.limit + 1) as unknown as EpisodeRow[];
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      const last = page[page.length - 1];
      const next: Cursor | null = more && last ? { finished_ms: last.finished_ms!, seq: last.seq } : null;
      return { episodes: page.map(toSummary), next };
    });
  }

  countFinished(): Promise<number> {
    return this.run('counting episodes', () => (this.countFinishedRows.get() as { n: number }).n);
  }

  prune(nowMs = Date.now()): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    return this.run('applying retention', () => this.pruneNow(nowMs));
  }

  private pruneNow(nowMs: number): number {
    let evicted = 0;
    const ageCutoff = finishedCutoff(this.retention, nowMs);
    if (ageCutoff !== null) {
      const n = Number(this.deleteOldFinished.run(ageCutoff).changes);
      this.finishedRows -= n;
      evicted += n;
    }
    if (this.retention.maxCount > 0 && this.finishedRows > this.retention.maxCount) {
      const n = Number(this.deleteBeyondCount.run(this.retention.maxCount).changes);
      this.finishedRows -= n;
      evicted += n;
    }
    const idleCutoff = unfinishedCutoff(this.retention, nowMs);
    if (idleCutoff !== null) evicted += Number(this.deleteIdleUnfinished.run(idleCutoff).changes);
    return evicted;
  }

  probeWrite(): Promise<void> {
    return this.run('probing a write', () => {
      // A real write that needs new pages (8 KB), then its removal: fails while the disk is full.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.probeInsert.run();
        this.db.exec('COMMIT');
      } catch (e) {
        this.rollback();
        throw e;
      }
      this.probeDelete.run();
    });
  }

  integrityCheck(): Promise<string> {
    return this.run('checking integrity', () =>
      (this.db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '),
    );
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}
