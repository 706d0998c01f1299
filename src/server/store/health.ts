/**
 * What the server knows about its store right now, from the outcome of real calls: `ok`,
 * `unavailable` (a write or read failed for a reason that may pass: disk full, I/O, connection)
 * or `corrupt` (stored data cannot be read back; stays until the store is repaired and the server
 * restarted). `/health` reports it as `degraded`, `GET /ready` answers 503 while it is not `ok`.
 *
 * While unavailable, a health check probes with a small real write (at most once a second), so the
 * state recovers when the store does even if no client writes. Each problem is logged once, when
 * it starts, and its recovery once.
 */
import { StoreCorruptError, StoreUnavailableError, type EpisodeStore } from './types.ts';

export type StoreState = 'ok' | 'unavailable' | 'corrupt';

export interface StoreLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const PROBE_INTERVAL_MS = 1000;

export class StoreHealth {
  private readonly store: EpisodeStore;
  private readonly log: StoreLog | null;
  state: StoreState = 'ok';
  /** The message of the failure behind the current state. */
  reason: string | null = null;
  private lastProbeMs = 0;
  private probing: Promise<void> | null = null;

  constructor(store: EpisodeStore, log: StoreLog | null = null) {
    this.store = store;
    this.log = log;
  }

  get ok(): boolean {
    return this.state === 'ok';
  }

  /** Records a failed store call. */
  failed(error: StoreUnavailableError | StoreCorruptError): void {
    const state: StoreState = error instanceof StoreCorruptError ? 'corrupt' : 'unavailable';
    if (this.state === 'corrupt' && state === 'unavailable') return;
    if (this.state !== state) {
      this.log?.error({ store: this.store.location, reason: error.message }, state === 'corrupt' ? 'episode store damaged' : 'episode store unavailable');
    }
    this.state = state;
    this.reason = error.message;
  }

  /** Records a successful write: an unavailable store is back. */
  wrote(): void {
    if (this.state !== 'unavailable') return;
    this.state = 'ok';
    this.reason = null;
    this.log?.info({ store: this.store.location }, 'episode store available again');
  }

  /** The state, after a probe write when the store was unavailable and the last probe is old. */
  async check(nowMs = Date.now()): Promise<StoreState> {
    if (this.state !== 'unavailable' || nowMs - this.lastProbeMs < PROBE_INTERVAL_MS) return this.state;
    this.lastProbeMs = nowMs;
    this.probing ??= this.store.probeWrite().then(
      () => this.wrote(),
      (e) => {
        if (e instanceof StoreUnavailableError || e instanceof StoreCorruptError) this.failed(e);
        else this.log?.error({ err: e }, 'episode store probe failed');
      },
    ).finally(() => {
      this.probing = null;
    });
    await this.probing;
    return this.state;
  }
}
