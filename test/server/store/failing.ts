/**
 * A store wrapper that fails on demand, as a full disk or a lost database would: while `failWrites`
 * is set every write rejects with `StoreUnavailableError` and writes nothing; `failReads` does the
 * same for reads; `corruptReads` rejects reads with `StoreCorruptError`.
 */
import {
  StoreCorruptError,
  StoreUnavailableError,
  type EpisodeFinish,
  type EpisodeStart,
  type EpisodeStore,
  type ListQuery,
  type StepRecord,
} from '../../../src/server/store/types.ts';

export class FailingStore implements EpisodeStore {
  readonly inner: EpisodeStore;
  failWrites = false;
  failReads = false;
  corruptReads = false;
  /** Writes refused so far. */
  refusedWrites = 0;

  constructor(inner: EpisodeStore) {
    this.inner = inner;
  }

  get kind(): string {
    return `failing(${this.inner.kind})`;
  }

  get location(): string {
    return this.inner.location;
  }

  private write<T>(call: () => Promise<T>): Promise<T> {
    if (this.failWrites) {
      this.refusedWrites++;
      return Promise.reject(new StoreUnavailableError(`the episode store ${this.location} cannot be used now (database or disk is full)`));
    }
    return call();
  }

  private read<T>(call: () => Promise<T>): Promise<T> {
    if (this.corruptReads) return Promise.reject(new StoreCorruptError(`the episode store ${this.location} is damaged (database disk image is malformed)`));
    if (this.failReads) return Promise.reject(new StoreUnavailableError(`the episode store ${this.location} cannot be used now (disk I/O error)`));
    return call();
  }

  createEpisode(episode: EpisodeStart) {
    return this.write(() => this.inner.createEpisode(episode));
  }
  appendStep(episodeId: string, step: StepRecord, finish: EpisodeFinish | null) {
    return this.write(() => this.inner.appendStep(episodeId, step, finish));
  }
  discardUnfinished(episodeId: string) {
    return this.write(() => this.inner.discardUnfinished(episodeId));
  }
  probeWrite() {
    return this.write(() => this.inner.probeWrite());
  }
  prune(nowMs?: number) {
    return this.write(() => this.inner.prune(nowMs));
  }
  getLog(episodeId: string) {
    return this.read(() => this.inner.getLog(episodeId));
  }
  stepsAfter(episodeId: string, afterT: number) {
    return this.read(() => this.inner.stepsAfter(episodeId, afterT));
  }
  getCompleted(episodeId: string) {
    return this.read(() => this.inner.getCompleted(episodeId));
  }
  getSummary(episodeId: string) {
    return this.read(() => this.inner.getSummary(episodeId));
  }
  list(query: ListQuery) {
    return this.read(() => this.inner.list(query));
  }
  countFinished() {
    return this.read(() => this.inner.countFinished());
  }
  integrityCheck() {
    return this.read(() => this.inner.integrityCheck());
  }
  close() {
    return this.inner.close();
  }
}
