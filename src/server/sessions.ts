/**
 * Sessions and live episodes, shared by HTTP, WebSocket and MCP (docs/protocol.md §3).
 *
 * - A session is an open /ws or WebSocket /mcp connection or an MCP session; at most
 *   `maxSessions` exist (CAPACITY_REACHED beyond).
 * - Live HTTP episodes sit in a pool bounded by the same number; adding one more evicts the least
 *   recently used (resets are never refused, §3.3). The Map's insertion order is the LRU order:
 *   touching an episode re-inserts it at the end.
 * - The idle reaper expires sessions and pool episodes nobody named for `idleTimeoutMs`.
 *
 * Everything here runs synchronously on the event loop and every environment call is synchronous,
 * so a request (a step, a save to the store) completes before the next one starts: that is the
 * per-episode serialisation, and no two sessions share mutable state.
 */
import { randomUUID } from 'node:crypto';
import type { LiveEpisode } from './episodes.ts';

export type SessionKind = 'ws' | 'mcp-ws' | 'mcp';

export interface Session {
  readonly id: string;
  readonly kind: SessionKind;
  lastActive: number;
  /**
   * MCP sessions: id of the episode last started by `start_episode` in this session (the default
   * target of its tools). Connections keep their episode object themselves.
   */
  currentEpisodeId: string | null;
  /** Called once when the reaper expires the session (WebSockets send their frame and close). */
  onExpire?: () => void;
  /**
   * MCP sessions: a /ws connection opened with `?session_id=` is attached (at most one at a time);
   * such a session is closed only after the socket detaches.
   */
  attached?: boolean;
  /** Who opened it (API key id or address): per-client caps count by this. */
  readonly client: string;
  /** API key id it was opened with (null without keys): under isolation only that key may use it. */
  readonly principal: string | null;
}

export interface SessionManagerOptions {
  maxSessions: number;
  /** 0 disables reaping. */
  idleTimeoutMs: number;
  /** Sessions one client may hold (default: maxSessions). */
  maxSessionsPerClient?: number;
  /** Live pool episodes one client may hold; beyond, its own least recently used goes (default: maxSessions). */
  maxEpisodesPerClient?: number;
  now?: () => number;
}

/** Client of requests that carry no identity (in-process callers, tests). */
export const ANONYMOUS = 'anonymous';

export class SessionManager {
  readonly maxSessions: number;
  readonly idleTimeoutMs: number;
  readonly maxSessionsPerClient: number;
  readonly maxEpisodesPerClient: number;
  private readonly now: () => number;
  private readonly sessionsByClient = new Map<string, number>();
  /** Client of each pool episode, and how many pool episodes each client holds. */
  private readonly poolClient = new Map<string, string>();
  private readonly poolByClient = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();
  /** Every live episode by id, whoever owns it. */
  private readonly live = new Map<string, LiveEpisode>();
  /** Live HTTP episodes, least recently used first. */
  private readonly pool = new Map<string, LiveEpisode>();
  /** Id of the episode of the latest successful POST /reset (§3.2); may name a finished or gone one. */
  mostRecentHttp: string | null = null;
  /** The same pointer per API key id, under EPISODE_ISOLATION. */
  private readonly mostRecentByKey = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(options: SessionManagerOptions) {
    this.maxSessions = options.maxSessions;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.maxSessionsPerClient = options.maxSessionsPerClient ?? options.maxSessions;
    this.maxEpisodesPerClient = options.maxEpisodesPerClient ?? options.maxSessions;
    this.now = options.now ?? Date.now;
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  get liveEpisodes(): number {
    return this.live.size;
  }

  get pooledEpisodes(): number {
    return this.pool.size;
  }

  /** A new session, or null at capacity (the server's, or the client's own share: see `refusal`). */
  open(kind: SessionKind, onExpire?: () => void, client: string = ANONYMOUS, principal: string | null = null): Session | null {
    if (this.sessions.size >= this.maxSessions) return null;
    const held = this.sessionsByClient.get(client) ?? 0;
    if (held >= this.maxSessionsPerClient) return null;
    const session: Session = { id: randomUUID(), kind, lastActive: this.now(), currentEpisodeId: null, onExpire, client, principal };
    this.sessions.set(session.id, session);
    this.sessionsByClient.set(client, held + 1);
    return session;
  }

  /** Why `open` refused `client`: the message and counts for its CAPACITY_REACHED reply. */
  refusal(client: string = ANONYMOUS): { message: string; data: Record<string, number> } {
    const held = this.sessionsByClient.get(client) ?? 0;
    if (this.sessions.size < this.maxSessions && held >= this.maxSessionsPerClient) {
      return {
        message: `Client at its session limit (${this.maxSessionsPerClient} sessions per client; close one first)`,
        data: { client_sessions: held, max_sessions_per_client: this.maxSessionsPerClient },
      };
    }
    return {
      message: `Server at capacity (${this.maxSessions} sessions)`,
      data: { active_sessions: this.sessions.size, max_sessions: this.maxSessions },
    };
  }

  private forgetSession(session: Session): void {
    this.sessions.delete(session.id);
    const held = (this.sessionsByClient.get(session.client) ?? 1) - 1;
    if (held > 0) this.sessionsByClient.set(session.client, held);
    else this.sessionsByClient.delete(session.client);
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  touchSession(session: Session): void {
    session.lastActive = this.now();
  }

  /** Releases a session at once (capacity freed). Its connection discards its own episode. */
  close(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.forgetSession(session);
    return true;
  }

  /**
   * Adds a live HTTP episode. Beyond the client's share its own least recently used episode
   * goes; beyond the pool's capacity, the least recently used one of the client holding the
   * most. So one client's resets never evict another's episodes while it holds more than they do.
   */
  addHttpEpisode(episode: LiveEpisode, client: string = ANONYMOUS): void {
    this.live.set(episode.id, episode);
    this.pool.set(episode.id, episode);
    this.poolClient.set(episode.id, client);
    this.poolByClient.set(client, (this.poolByClient.get(client) ?? 0) + 1);
    while ((this.poolByClient.get(client) ?? 0) > this.maxEpisodesPerClient) this.evictOldestOf(client);
    while (this.pool.size > this.maxSessions) {
      let largest = client;
      for (const [c, n] of this.poolByClient) if (n > (this.poolByClient.get(largest) ?? 0)) largest = c;
      this.evictOldestOf(largest);
    }
  }

  private evictOldestOf(client: string): void {
    for (const id of this.pool.keys()) {
      if (this.poolClient.get(id) === client) {
        this.removeLive(id);
        return;
      }
    }
  }

  /** The most recent POST /reset episode of `key` (null: of callers without a key). */
  mostRecent(key: string | null): string | null {
    return key === null ? this.mostRecentHttp : (this.mostRecentByKey.get(key) ?? null);
  }

  setMostRecent(key: string | null, id: string): void {
    if (key === null) this.mostRecentHttp = id;
    else this.mostRecentByKey.set(key, id);
  }

  /** Client that put a pool episode there (null for connection episodes and unknown ids). */
  poolClientOf(id: string): string | null {
    return this.poolClient.get(id) ?? null;
  }

  addConnectionEpisode(episode: LiveEpisode): void {
    this.live.set(episode.id, episode);
  }

  getLive(id: string): LiveEpisode | undefined {
    return this.live.get(id);
  }

  /** Marks a live episode as used now (and most recently used in the pool). */
  touchEpisode(episode: LiveEpisode): void {
    episode.lastActive = this.now();
    if (this.pool.delete(episode.id)) this.pool.set(episode.id, episode);
  }

  /** Removes a live episode (finished and stored, abandoned, or discarded with its connection). */
  removeLive(id: string): void {
    this.live.delete(id);
    if (!this.pool.delete(id)) return;
    const client = this.poolClient.get(id);
    this.poolClient.delete(id);
    if (client === undefined) return;
    const held = (this.poolByClient.get(client) ?? 1) - 1;
    if (held > 0) this.poolByClient.set(client, held);
    else this.poolByClient.delete(client);
  }

  /** Expires idle sessions and pool episodes; returns how many of each went. */
  reap(now = this.now()): { sessions: number; episodes: number } {
    if (this.idleTimeoutMs <= 0) return { sessions: 0, episodes: 0 };
    const limit = now - this.idleTimeoutMs;
    let sessions = 0;
    let episodes = 0;
    for (const session of [...this.sessions.values()]) {
      if (session.lastActive > limit) continue;
      this.forgetSession(session);
      sessions++;
      try {
        session.onExpire?.();
      } catch {
        // A socket that fails to close is already gone; the session is released either way.
      }
    }
    // The pool is in LRU order, but `lastActive` and pool order agree, so stop at the first fresh one.
    for (const episode of [...this.pool.values()]) {
      if (episode.lastActive > limit) break;
      this.removeLive(episode.id);
      episodes++;
    }
    return { sessions, episodes };
  }

  /**
   * Starts the reaper. It ticks every T/4 (between 20 ms and 5 s), so everything idle for T is
   * gone within T + max(T/4, 5 s) as §3.4 requires.
   */
  startReaper(extraTick?: () => void): void {
    if (this.idleTimeoutMs <= 0 && !extraTick) return;
    const period = this.idleTimeoutMs > 0 ? Math.min(Math.max(this.idleTimeoutMs / 4, 20), 5000) : 5000;
    this.timer = setInterval(() => {
      this.reap();
      extraTick?.();
    }, period);
    this.timer.unref();
  }

  stopReaper(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Every session (for shutdown). */
  all(): Session[] {
    return [...this.sessions.values()];
  }
}
