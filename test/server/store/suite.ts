/**
 * The shared store suite: the contract of `src/server/store/types.ts`, run on every backend.
 * A backend's test file calls `runStoreSuite(name, fixture)`; SQLite runs it on a file and on
 * `:memory:` (test/server/store.test.ts), PostgreSQL on a throw-away cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grade } from '../../../src/env/grader.ts';
import { makeEnv } from '../../../src/env/make.ts';
import { getTask } from '../../../src/env/tasks.ts';
import type { Action, Observation } from '../../../src/env/types.ts';
import { gradeBody } from '../../../src/server/core.ts';
import { LiveEpisode } from '../../../src/server/episodes.ts';
import {
  StoreConflictError,
  StoreMissingError,
  StoreUnavailableError,
  type EpisodeFinish,
  type EpisodeStart,
  type EpisodeStore,
  type RetentionPolicy,
  type StepRecord,
} from '../../../src/server/store/types.ts';

export interface StoreFixture {
  /** A new, empty store with these retention rules. */
  open(retention: RetentionPolicy): Promise<EpisodeStore>;
  /** Closes `store` and opens the same data again (a server restart); absent for throw-away stores. */
  reopen?(store: EpisodeStore, retention: RetentionPolicy): Promise<EpisodeStore>;
  /** A second handle on the same data, open at the same time (another process or replica). */
  twin?(store: EpisodeStore, retention: RetentionPolicy): Promise<EpisodeStore>;
}

export const KEEP_ALL: RetentionPolicy = Object.freeze({ maxCount: 0, maxAgeS: 0, unfinishedIdleS: 0 });

/** Doubles that a lossy encoding would change (JSON text keeps them all; the sign of zero aside). */
const AWKWARD = [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 0.6877999999999999, 123456789.12345679];

export function observation(k = 0): Observation {
  return {
    remaining_budget: 100 - 10 * k,
    diversity_score: AWKWARD[k % AWKWARD.length],
    noise_estimate: AWKWARD[(k + 1) % AWKWARD.length],
    current_performance: 0.6878 + k * 1e-17,
    samples_available: 1100 - 10 * k,
  };
}

export function start(id: string, over: Partial<EpisodeStart> = {}): EpisodeStart {
  return {
    episode_id: id,
    task_id: 'hard',
    seed: 4294967295,
    label: 'label é ü 🙂',
    transport: 'http',
    created_ms: Date.now(),
    initial_observation: observation(0),
    owner_key: null,
    ...over,
  };
}

export function step(t: number, done = false): StepRecord {
  return {
    t,
    action: { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } },
    reward: AWKWARD[t % AWKWARD.length] - 1,
    terms: done ? { stop_reward: AWKWARD[t % AWKWARD.length] } : { performance_gain: 5e-17, diversity_bonus: 1 / 9, gain_multiplier: 0.7, gain: AWKWARD[(t + 2) % AWKWARD.length], budget_cost: -0.1, redundancy_penalty: -0.3 * (1 / 7), noise_penalty: -1 / 3, step_bonus: 0.15 },
    observation: observation(t),
    done,
  };
}

export function finish(ms: number, t: number): EpisodeFinish {
  return { finished_ms: ms, final_observation: observation(t), noise_ratios: [0.1, 1 / 3, 0.2 + 0.1].slice(0, t) };
}

/** Writes a finished episode of `steps` steps. */
async function finished(store: EpisodeStore, id: string, finishedMs: number, over: Partial<EpisodeStart> = {}, steps = 2): Promise<void> {
  await store.createEpisode(start(id, { created_ms: finishedMs - 1, ...over }));
  for (let t = 1; t < steps; t++) await store.appendStep(id, step(t), null);
  await store.appendStep(id, step(steps, true), finish(finishedMs, steps));
}

async function rejectsWith(p: Promise<unknown>, type: new (...args: never[]) => Error, what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof type, `${what}: expected ${type.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return true;
  });
}

export function runStoreSuite(name: string, fixture: StoreFixture): void {
  const withStore = (retention: RetentionPolicy, body: (store: EpisodeStore) => Promise<void>) => async () => {
    const store = await fixture.open(retention);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };

  describe(`store contract: ${name}`, () => {
    test('a finished curation episode: grade data, grade and breakdown read back identically; its unfinished log replays', async () => {
      let store = await fixture.open(KEEP_ALL);
      try {
        const task = 'curation-medium';
        const seed = 2024;
        const batch: Action = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.5, diversity: 0.3, random: 0.2 } };
        const stop: Action = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
        const actions = [batch, batch, batch, stop];
        // The uninterrupted run, in process: the reference grade.
        const ref = makeEnv(task);
        ref.reset({ task, seed });
        for (const a of actions) ref.step(a);
        const expected = grade(getTask(task)!, ref.gradeInput());
        assert.ok(typeof expected.breakdown.regime === 'string');

        const env = makeEnv(task);
        const { observation: first } = env.reset({ task, seed });
        const live = new LiveEpisode({ id: 'cur-1', label: 'curation', owner: { kind: 'http' }, env, initialObservation: first, now: Date.now() });
        await store.createEpisode(live.startRecord());
        for (const a of actions.slice(0, -1)) await store.appendStep('cur-1', live.step(a).record, null);

        // A restart mid-episode: the unfinished log replays (each stored result checked) and goes on.
        const log = await store.getLog('cur-1');
        assert.ok(log);
        assert.equal(log.finish, null);
        const replayed = LiveEpisode.fromLog(log, { kind: 'http' }, Date.now());
        assert.equal(replayed.stepCount, 3);
        const last = replayed.step(stop);
        assert.equal(last.result.done, true);
        const finishRecord = replayed.finishRecord(9000);
        assert.deepEqual(finishRecord.grade_data, ref.gradeInput().grade_data, 'grade data of the replayed run = the uninterrupted one');
        await store.appendStep('cur-1', last.record, finishRecord);

        const summary = await store.getSummary('cur-1');
        assert.ok(summary);
        assert.deepEqual(summary.grade_data, finishRecord.grade_data, 'grade_data read back exactly');
        const graded = gradeBody(summary);
        assert.deepEqual([graded.score, graded.passed, graded.breakdown], [expected.score, expected.passed, expected.breakdown]);
        assert.equal(JSON.stringify(graded.breakdown), JSON.stringify(expected.breakdown), 'every double bit-identical');
        const completed = await store.getCompleted('cur-1');
        assert.deepEqual(completed!.grade_data, finishRecord.grade_data);
        assert.deepEqual(gradeBody(completed!), graded);
        assert.deepEqual(completed!.steps.map((r) => r.action), actions);
        const finishedLog = await store.getLog('cur-1');
        assert.deepEqual(finishedLog!.finish, finishRecord);
        const row = (await store.list({ limit: 10, task_id: task })).episodes[0];
        assert.deepEqual(gradeBody(row!), graded);
        if (fixture.reopen) {
          store = await fixture.reopen(store, KEEP_ALL);
          assert.deepEqual(gradeBody((await store.getSummary('cur-1'))!), graded, 'after a restart');
        }
      } finally {
        await store.close();
      }
    });

    test('an episode row at reset, one row per step, read back exactly', withStore(KEEP_ALL, async (store) => {
      const s = start('ep-1');
      await store.createEpisode(s);
      const empty = await store.getLog('ep-1');
      assert.ok(empty);
      assert.deepEqual(empty.steps, []);
      assert.equal(empty.finish, null);
      assert.equal(empty.last_active_ms, s.created_ms);
      for (const key of ['episode_id', 'task_id', 'seed', 'label', 'transport', 'created_ms', 'initial_observation'] as const) {
        assert.deepEqual(empty[key], s[key], key);
      }
      await store.appendStep('ep-1', step(1), null);
      await store.appendStep('ep-1', step(2), null);
      const log = await store.getLog('ep-1');
      assert.deepEqual(log!.steps, [step(1), step(2)], 'every number bit-identical');
      assert.ok(log!.last_active_ms >= s.created_ms);
      assert.equal(await store.getSummary('ep-1'), null, 'unfinished: no summary');
      assert.equal(await store.getCompleted('ep-1'), null, 'unfinished: not completed');
      assert.equal(await store.getLog('nope'), null);
      assert.equal(await store.countFinished(), 0);
      assert.deepEqual((await store.list({ limit: 10 })).episodes, [], 'unfinished episodes are not listed');
      await store.createEpisode(start('ws-1', { transport: 'connection', label: null }));
      const ws = await store.getLog('ws-1');
      assert.equal(ws!.transport, 'connection');
      assert.equal(ws!.label, null);
    }));

    test('the last step finishes the episode atomically; finished episodes read as summary, completed, listed', withStore(KEEP_ALL, async (store) => {
      await store.createEpisode(start('f'));
      await store.appendStep('f', step(1), null);
      await store.appendStep('f', step(2, true), finish(5000, 2));
      const summary = await store.getSummary('f');
      assert.deepEqual(summary, {
        episode_id: 'f', task_id: 'hard', seed: 4294967295, label: 'label é ü 🙂', owner_key: null, step_count: 2, finished_ms: 5000,
        final_observation: observation(2), noise_ratios: finish(5000, 2).noise_ratios,
      });
      const completed = await store.getCompleted('f');
      assert.deepEqual(completed, { ...summary, initial_observation: observation(0), steps: [step(1), step(2, true)] });
      const log = await store.getLog('f');
      assert.deepEqual(log!.finish, finish(5000, 2));
      assert.equal(await store.countFinished(), 1);
      assert.deepEqual((await store.list({ limit: 10 })).episodes, [summary]);
    }));

    test('a kept id cannot be created again (unfinished or finished): conflict, the first row unchanged', withStore(KEEP_ALL, async (store) => {
      await store.createEpisode(start('dup', { task_id: 'easy' }));
      await rejectsWith(store.createEpisode(start('dup', { task_id: 'medium' })), StoreConflictError, 'unfinished id');
      assert.equal((await store.getLog('dup'))!.task_id, 'easy');
      await finished(store, 'done', 1000, { task_id: 'easy' });
      await rejectsWith(store.createEpisode(start('done', { task_id: 'medium' })), StoreConflictError, 'finished id');
      assert.equal((await store.getSummary('done'))!.task_id, 'easy');
      assert.equal(await store.countFinished(), 1);
    }));

    test('ids are compared exactly: near-identical ids never alias one another', withStore(KEEP_ALL, async (store) => {
      const ids = ['Case', 'case', 'case ', 'caf\u00e9', 'cafe\u0301', 'x'.repeat(255), 'coll\ufffd', 'coll\ud800'];
      const created: string[] = [];
      for (const [k, id] of ids.entries()) {
        try {
          await store.createEpisode(start(id, { seed: k }));
          created.push(id);
        } catch (e) {
          // A backend may refuse an id it cannot store distinctly, but only with a conflict.
          assert.ok(e instanceof StoreConflictError, `${JSON.stringify(id)}: ${(e as Error).message}`);
        }
      }
      assert.ok(created.length >= ids.length - 1, `only ${created.length} of ${ids.length} ids stored`);
      for (const id of created) assert.equal((await store.getLog(id))!.seed, ids.indexOf(id), JSON.stringify(id));
    }));

    test('steps: only the next index of an unfinished, existing episode; a refused append writes nothing', withStore(KEEP_ALL, async (store) => {
      await store.createEpisode(start('s'));
      await rejectsWith(store.appendStep('s', step(2), null), StoreConflictError, 'gap');
      await store.appendStep('s', step(1), null);
      await rejectsWith(store.appendStep('s', step(1), null), StoreConflictError, 'same index twice');
      await rejectsWith(store.appendStep('s', step(3), null), StoreConflictError, 'gap after 1');
      await rejectsWith(store.appendStep('missing', step(1), null), StoreMissingError, 'no episode row');
      await store.appendStep('s', step(2, true), finish(2000, 2));
      await rejectsWith(store.appendStep('s', step(3), null), StoreConflictError, 'after the finish');
      await rejectsWith(store.appendStep('s', step(3, true), finish(3000, 3)), StoreConflictError, 'finishing twice');
      const log = await store.getLog('s');
      assert.deepEqual(log!.steps, [step(1), step(2, true)]);
      assert.equal(log!.finish!.finished_ms, 2000);
      // A conflicting final step leaves the episode unfinished (the finish is part of the same write).
      await store.createEpisode(start('u'));
      await store.appendStep('u', step(1), null);
      await rejectsWith(store.appendStep('u', step(1, true), finish(4000, 1)), StoreConflictError, 'final step on a taken index');
      assert.equal((await store.getLog('u'))!.finish, null);
      assert.equal(await store.countFinished(), 1);
    }));

    test('discarding: an unfinished episode and its steps go, a finished one stays', withStore(KEEP_ALL, async (store) => {
      await store.createEpisode(start('gone'));
      await store.appendStep('gone', step(1), null);
      assert.equal(await store.discardUnfinished('gone'), true);
      assert.equal(await store.getLog('gone'), null);
      await store.createEpisode(start('gone'));
      assert.deepEqual((await store.getLog('gone'))!.steps, [], 'no step of the discarded episode is left');
      await finished(store, 'kept', 1000);
      assert.equal(await store.discardUnfinished('kept'), false);
      assert.ok(await store.getCompleted('kept'));
      assert.equal(await store.discardUnfinished('never'), false);
    }));

    test('optimistic concurrency: of two writers of one step, exactly one wins', withStore(KEEP_ALL, async (store) => {
      const other = fixture.twin ? await fixture.twin(store, KEEP_ALL) : store;
      try {
        await store.createEpisode(start('race'));
        for (let t = 1; t <= 5; t++) {
          const outcomes = await Promise.allSettled([store.appendStep('race', step(t), null), other.appendStep('race', step(t), null)]);
          const won = outcomes.filter((o) => o.status === 'fulfilled').length;
          assert.equal(won, 1, `step ${t}: ${won} writers won`);
          const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
          assert.ok(lost.reason instanceof StoreConflictError, String(lost.reason));
        }
        assert.equal((await other.getLog('race'))!.steps.length, 5, 'the twin reads what the first wrote');
        const creates = await Promise.allSettled([store.createEpisode(start('twice')), other.createEpisode(start('twice'))]);
        assert.equal(creates.filter((o) => o.status === 'fulfilled').length, 1);
      } finally {
        if (other !== store) await other.close();
      }
    }));

    test('stepsAfter: what a holder of an older copy missed, written by another handle; null once the episode is gone', withStore({ ...KEEP_ALL, unfinishedIdleS: 60 }, async (store) => {
      const other = fixture.twin ? await fixture.twin(store, KEEP_ALL) : store;
      try {
        await store.createEpisode(start('behind'));
        assert.deepEqual(await store.stepsAfter('behind', 0), []);
        await store.appendStep('behind', step(1), null);
        await other.appendStep('behind', step(2), null);
        await other.appendStep('behind', step(3, true), finish(9000, 3));
        assert.deepEqual(await store.stepsAfter('behind', 1), [step(2), step(3, true)], 'bit-identical, in order');
        assert.deepEqual(await store.stepsAfter('behind', 3), []);
        assert.deepEqual(await store.stepsAfter('behind', 0), [step(1), step(2), step(3, true)]);
        assert.equal(await store.stepsAfter('never', 0), null);
        await store.createEpisode(start('idle', { created_ms: Date.now() - 120_000 }));
        assert.equal(await store.stepsAfter('idle', 0), null, 'expired counts as gone');
        await store.createEpisode(start('dropped'));
        await store.discardUnfinished('dropped');
        assert.equal(await store.stepsAfter('dropped', 0), null);
      } finally {
        if (other !== store) await other.close();
      }
    }));

    test('list: finished only, newest first, ties by creation order, paged with a cursor, task filter', withStore(KEEP_ALL, async (store) => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = `L${i}`;
        // Two pairs share a finish time: creation order breaks the tie.
        await finished(store, id, 10_000 + Math.floor(i / 2) * 1000, { task_id: i % 3 === 0 ? 'easy' : 'hard' });
        ids.push(id);
      }
      await store.createEpisode(start('unfinished'));
      const newestFirst = [...ids].reverse();
      assert.deepEqual((await store.list({ limit: 100 })).episodes.map((e) => e.episode_id), newestFirst);
      const seen: string[] = [];
      let page = await store.list({ limit: 3 });
      let pages = 1;
      seen.push(...page.episodes.map((e) => e.episode_id));
      while (page.next) {
        page = await store.list({ limit: 3, before: page.next });
        seen.push(...page.episodes.map((e) => e.episode_id));
        pages++;
      }
      assert.deepEqual(seen, newestFirst);
      assert.equal(pages, 3);
      assert.equal((await store.list({ limit: 7 })).next, null, 'no cursor when nothing follows');
      assert.deepEqual((await store.list({ limit: 100, task_id: 'easy' })).episodes.map((e) => e.episode_id), ['L6', 'L3', 'L0']);
      const easyPage = await store.list({ limit: 2, task_id: 'easy' });
      assert.deepEqual((await store.list({ limit: 2, task_id: 'easy', before: easyPage.next! })).episodes.map((e) => e.episode_id), ['L0']);
      assert.deepEqual((await store.list({ limit: 5, task_id: 'medium' })).episodes, []);
    }));

    test('owner_key (EPISODE_ISOLATION): kept on every read, list filters by it (null = episodes without a key)', withStore(KEEP_ALL, async (store) => {
      await finished(store, 'K-a1', 20_000, { owner_key: 'aaaaaaaaaaaaaaaa' });
      await finished(store, 'K-b1', 21_000, { owner_key: 'bbbbbbbbbbbbbbbb' });
      await finished(store, 'K-a2', 22_000, { owner_key: 'aaaaaaaaaaaaaaaa' });
      await finished(store, 'K-none', 23_000);
      await store.createEpisode(start('K-live', { owner_key: 'bbbbbbbbbbbbbbbb' }));
      assert.equal((await store.getSummary('K-a1'))?.owner_key, 'aaaaaaaaaaaaaaaa');
      assert.equal((await store.getCompleted('K-b1'))?.owner_key, 'bbbbbbbbbbbbbbbb');
      assert.equal((await store.getLog('K-live'))?.owner_key, 'bbbbbbbbbbbbbbbb');
      assert.equal((await store.getSummary('K-none'))?.owner_key, null);
      const ids = async (owner_key?: string | null) => (await store.list({ limit: 100, owner_key })).episodes.map((e) => e.episode_id);
      assert.deepEqual(await ids('aaaaaaaaaaaaaaaa'), ['K-a2', 'K-a1']);
      assert.deepEqual(await ids('bbbbbbbbbbbbbbbb'), ['K-b1']);
      assert.deepEqual(await ids(null), ['K-none']);
      assert.deepEqual(await ids(), ['K-none', 'K-a2', 'K-b1', 'K-a1']);
    }));

    test('retention by count: the oldest finished go first; unfinished episodes are not counted', withStore({ ...KEEP_ALL, maxCount: 3 }, async (store) => {
      await store.createEpisode(start('open'));
      for (let i = 0; i < 5; i++) await finished(store, `c${i}`, 1000 + i);
      await store.prune();
      assert.equal(await store.countFinished(), 3);
      assert.equal(await store.getSummary('c0'), null);
      assert.equal(await store.getCompleted('c1'), null);
      assert.ok(await store.getSummary('c4'));
      assert.ok(await store.getLog('open'), 'an unfinished episode is kept');
      assert.deepEqual((await store.list({ limit: 10 })).episodes.map((e) => e.episode_id), ['c4', 'c3', 'c2']);
      await store.createEpisode(start('c0'));
      assert.equal((await store.getLog('c0'))!.steps.length, 0, 'an evicted id is free again');
    }));

    test('retention by age: expired rows behave as unknown before prune deletes them; their ids are free', withStore({ ...KEEP_ALL, maxAgeS: 60, unfinishedIdleS: 60 }, async (store) => {
      const now = Date.now();
      await finished(store, 'old', now - 120_000);
      await finished(store, 'new', now);
      await store.createEpisode(start('idle', { created_ms: now - 120_000 }));
      await store.createEpisode(start('busy', { created_ms: now - 120_000 }));
      await store.appendStep('busy', step(1), null);
      for (const id of ['old', 'idle']) {
        assert.equal(await store.getLog(id), null, id);
        assert.equal(await store.getSummary(id), null, id);
        assert.equal(await store.getCompleted(id), null, id);
      }
      assert.ok(await store.getLog('busy'), 'a recent step keeps an old episode');
      assert.deepEqual((await store.list({ limit: 10 })).episodes.map((e) => e.episode_id), ['new']);
      await store.createEpisode(start('idle', { task_id: 'easy' }));
      assert.equal((await store.getLog('idle'))!.task_id, 'easy', 'the new episode replaced the expired one');
      assert.deepEqual((await store.getLog('idle'))!.steps, []);
      await finished(store, 'old', now, { task_id: 'medium' });
      assert.equal((await store.getSummary('old'))!.task_id, 'medium');
      await finished(store, 'older', now - 120_000);
      await store.createEpisode(start('idle2', { created_ms: now - 120_000 }));
      assert.equal(await store.prune(), 2);
      assert.equal(await store.countFinished(), 2);
      assert.ok(await store.getLog('busy'));
    }));

    test('probe write, integrity check', withStore(KEEP_ALL, async (store) => {
      await store.probeWrite();
      await store.probeWrite();
      assert.equal(await store.integrityCheck(), 'ok');
      assert.equal(typeof store.kind, 'string');
      assert.equal(typeof store.location, 'string');
    }));

    test('a closed store rejects with StoreUnavailableError', async () => {
      const store = await fixture.open(KEEP_ALL);
      await store.createEpisode(start('c'));
      await store.close();
      await rejectsWith(store.appendStep('c', step(1), null), StoreUnavailableError, 'append after close');
      await rejectsWith(store.getLog('c'), StoreUnavailableError, 'read after close');
      await store.close();
    });

    if (fixture.reopen) {
      const reopen = fixture.reopen.bind(fixture);
      test('everything written survives a restart of the server process', async () => {
        let store = await fixture.open(KEEP_ALL);
        try {
          await finished(store, 'kept', 7000, {}, 3);
          await store.createEpisode(start('open'));
          await store.appendStep('open', step(1), null);
          const before = { kept: await store.getCompleted('kept'), open: await store.getLog('open'), list: await store.list({ limit: 10 }) };
          store = await reopen(store, KEEP_ALL);
          assert.deepEqual(await store.getCompleted('kept'), before.kept);
          assert.deepEqual(await store.getLog('open'), before.open);
          assert.deepEqual(await store.list({ limit: 10 }), before.list);
          await store.appendStep('open', step(2), null);
          await rejectsWith(store.createEpisode(start('kept')), StoreConflictError, 'id kept across restarts');
        } finally {
          await store.close();
        }
      });
    }
  });
}
