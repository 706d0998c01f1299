/**
 * The web console in a real browser against the real server: Debian's chromium driven by
 * playwright-core, the server built by buildApp on port 0 with an in-memory store. Everything is
 * done the way a person does it (clicks, keys), then what the charts plot is compared with the
 * episode as the API stores it (GET /episodes/{id}). Screenshots land in test-output/web/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { openEnvironment } from '../../src/client/connect.ts';
import { evaluate, type EvalReport } from '../../src/eval/run.ts';
import { meanConfidenceInterval } from '../../src/eval/stats.ts';
import { makeEnv } from '../../src/env/make.ts';
import { getTask } from '../../src/env/tasks.ts';
import { openFamily } from '../../src/fixtures/bundle.ts';
import { BUILTIN_POLICIES } from '../../src/policies/index.ts';
import { buildApp, type AppHandle } from '../../src/server/app.ts';
import { testConfig } from '../../src/server/config.ts';
import { findChromium, launch, SKIP_REASON } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = path.join(ROOT, 'test-output', 'web');
const TERM_KEYS = ['gain', 'budget_cost', 'redundancy_penalty', 'noise_penalty', 'step_bonus', 'stop_reward'] as const;

interface BatchStats {
  n: number;
  label_mean?: number;
  pred_mean?: number;
}
interface Obs {
  remaining_budget: number;
  noise_estimate: number;
  current_performance: number;
  samples_available: number;
  /** Curation tasks only. */
  validation_accuracy?: number;
  pool_uncertainty?: number;
  last_batch?: Record<'uncertainty' | 'diversity' | 'random' | 'total', BatchStats | null> | null;
}
interface StoredEpisode {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  step_count: number;
  initial_observation: Obs;
  steps: { t: number; reward: number; terms: Record<string, number>; observation: Obs; action: { action_type: string; batch_size: number; strategy_weights: Record<string, number> } }[];
  grade: { score: number; passed: boolean; breakdown: Record<string, number | string> };
}

/** The page's registry (window.dsConsole): chart data exactly as uPlot holds it. */
interface Snapshot {
  liveEpisodeId: string | null;
  compared: string[];
  charts: Record<string, (number | null)[][]>;
  labels: Record<string, string[]>;
}

async function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => {
    const r = (globalThis as any).dsConsole;
    const charts: Record<string, unknown> = {};
    const labels: Record<string, string[]> = {};
    for (const name of Object.keys(r.charts)) {
      charts[name] = r.charts[name].data;
      labels[name] = r.charts[name].series.map((s: { label: string }) => s.label);
    }
    return { liveEpisodeId: r.liveEpisodeId, compared: r.compared, charts, labels } as any;
  });
}

/** Sentences (or lines) of the visible text under `selector` that appear more than once, e.g. "No episode yet" in two boxes. */
async function repeatedSentences(page: Page, selector: string): Promise<string[]> {
  const parts = (await page.locator(selector).innerText())
    .split(/(?<=[.:;])\s+|\n+/)
    .map((x) => x.trim().replace(/[.:;]$/, '').toLowerCase())
    .filter((x) => x.split(/\s+/).length >= 3);
  return parts.filter((x, i) => parts.indexOf(x) !== i);
}

/** Waits out any load in flight (showing the tab starts one), then reloads Compare's list and waits for it. */
async function refreshCompare(page: Page): Promise<void> {
  const idle = () => page.waitForFunction(() => (globalThis as any).document.querySelector('#cmp-status').textContent !== 'Loading episodes…');
  await idle();
  await page.click('#cmp-refresh');
  await idle();
}

/**
 * At each width (the layouts the console is made for), once `chart` has been resized to it: no
 * horizontal overflow, then `shoot(width)` (screenshots); back to the default size after.
 */
async function atWidths(page: Page, chart: string, where: string, shoot: (width: number) => Promise<void>): Promise<void> {
  try {
    for (const width of [1366, 420]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForFunction(([name, w]) => (globalThis as any).dsConsole.charts[name].width <= w, [chart, width] as const);
      // Every chart follows its box a frame or two after a resize (ResizeObserver): let them settle, then measure.
      const overflowOf = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).document.documentElement.clientWidth);
      await page.waitForFunction(() => (globalThis as any).document.documentElement.scrollWidth === (globalThis as any).document.documentElement.clientWidth, null, { timeout: 5000 }).catch(() => undefined);
      const overflow = await overflowOf();
      assert.equal(overflow, 0, `${where} overflows at ${width} px`);
      await shoot(width);
    }
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
}

const chromiumPath = findChromium();
/** Each test carries the skip, so a machine without chromium reports every one as skipped, with why. */
const needsChromium = { skip: chromiumPath ? false : SKIP_REASON };

describe('web console in chromium', () => {
  let handle: AppHandle;
  let base: string;
  let page: Page;
  let dispose: () => Promise<void>;
  const pageErrors: string[] = [];
  const played: Record<string, StoredEpisode> = {};
  /** The noise chart as the live replies drew it (info.noise_ratio), for the Watch check. */
  let liveNoise: (number | null)[][] = [];

  /** The project's own evaluator over HTTP (seeds 0–5), labelled as `eval` labels its episodes. */
  async function evalOverHttp(policies: string[], tasks: string[]): Promise<EvalReport[]> {
    const reports: EvalReport[] = [];
    for (const name of policies) {
      const o = { policyName: name, policy: BUILTIN_POLICIES[name]!.policy, tasks, seeds: [0, 1, 2, 3, 4, 5], label: `eval:${name}` };
      reports.push(await evaluate(() => openEnvironment({ url: base, transport: 'http' }), o));
    }
    return reports;
  }

  async function stored(id: string): Promise<StoredEpisode> {
    const res = await fetch(`${base}/episodes/${id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as StoredEpisode;
  }

  before(async () => {
    if (!chromiumPath) return;
    // Serve what the sources say now, not a build left over from an earlier install.
    await build({ configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
    mkdirSync(OUT, { recursive: true });
    handle = await buildApp(testConfig({ WEB: true }));
    await handle.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(handle.app.server.address() as AddressInfo).port}`;
    const browser = await launch(chromiumPath!);
    dispose = browser.dispose;
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(`${base}/web`);
    await page.waitForFunction(() => (globalThis as any).dsConsole?.ready === true);
  });

  after(async () => {
    await dispose?.();
    await handle?.app.close();
  });

  test('loads /web with the tasks, the policies and keyboard-operable tabs and sliders', needsChromium, async () => {
    const tasks = await page.$$eval('#task option', (os) => os.map((o) => (o as any).value));
    const api = (await (await fetch(`${base}/tasks`)).json()) as { tasks: { task_id: string }[] };
    assert.deepEqual(tasks, api.tasks.map((t) => t.task_id));
    // The service index points people at the console (served here) and the docs.
    const index = (await (await fetch(`${base}/`)).json()) as Record<string, string>;
    assert.equal(index.console, '/web');
    assert.equal(index.docs, '/docs');
    assert.equal((await fetch(`${base}${index.console}`)).status, 200);
    const policies = await page.$$eval('#policy option', (os) => os.map((o) => (o as any).value));
    // The library's own table (src/policies/builtin.ts), not a copy: every built-in, in its order.
    assert.deepEqual(policies, ['manual', ...Object.keys(BUILTIN_POLICIES)]);
    assert.ok(policies.includes('adaptive') && policies.includes('one-batch'));

    // Every control has an accessible name (a <label>, aria-label or its own text).
    const unnamed = await page.evaluate(() => {
      const d = (globalThis as any).document;
      return Array.from(d.querySelectorAll('input, select, textarea, button') as ArrayLike<any>)
        .filter((c) => !(c.labels?.length || c.getAttribute('aria-label') || (c.tagName === 'BUTTON' && c.textContent.trim())))
        .map((c) => c.outerHTML as string);
    });
    assert.deepEqual(unnamed, []);

    // Tabs follow the WAI-ARIA pattern: arrow keys switch and move focus.
    await page.focus('#tab-play');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-compare', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#panel-compare'), true);
    assert.equal(await page.isVisible('#panel-play'), false);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getAttribute('#tab-play', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#panel-play'), true);

    // A slider moved by keyboard updates its readout and switches the policy to manual.
    await page.focus('#w-random');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.textContent('#w-random-out'), '0.25');
    assert.equal(await page.inputValue('#policy'), 'manual');
    await page.selectOption('#policy', 'balanced');
    assert.equal(await page.textContent('#w-random-out'), '0.20');
    // The environment's integer split (random only gets the remainder): 0.4/0.4/0.2 of 10 → 3/3/4.
    assert.equal(await page.textContent('#weights-hint'), 'A batch of 10 splits 3 uncertainty / 3 diversity / 4 random.');
    assert.equal(await page.getAttribute('#status', 'aria-live'), 'polite');
  });

  test('Compare on an empty store says so once', needsChromium, async () => {
    await page.click('#tab-compare');
    await page.waitForFunction(() => /store/.test((globalThis as any).document.querySelector('#cmp-status').textContent));
    assert.equal(await page.textContent('#cmp-status'), 'No finished episodes in the store yet.');
    assert.equal(await page.isVisible('#grp-empty'), true);
    assert.equal(await page.isVisible('#eps-empty'), false);
    assert.deepEqual(await repeatedSentences(page, '#panel-compare'), [], 'a sentence shown twice');
    await page.screenshot({ path: path.join(OUT, 'compare-empty.png'), fullPage: true });
    await page.click('#tab-play');
  });

  test('before the first step: empty states instead of empty charts', needsChromium, async () => {
    assert.deepEqual(await repeatedSentences(page, '#panel-play .watch'), [], 'a sentence shown twice');
    assert.equal(await page.textContent('#status'), 'No episode yet.');
    assert.equal(await page.textContent('#empty-text'), 'Choose a task and a policy, then press Step for one step or Run to end.');
    assert.equal(await page.isVisible('#empty-state'), true);
    assert.equal(await page.isVisible('#charts'), false);
    assert.equal(await page.isVisible('#steps-table'), false);
    assert.equal(await page.textContent('#steps-empty'), 'No steps yet.');
    assert.equal(await page.isVisible('#obs-empty'), true);
    await page.selectOption('#task', 'medium');
    await page.click('#btn-reset');
    await page.waitForFunction(() => /^New episode/.test((globalThis as any).document.querySelector('#status').textContent));
    // An episode without a step still has nothing to plot; the observation is shown.
    assert.equal(await page.isVisible('#charts'), false);
    assert.equal(await page.textContent('#empty-text'), 'Press Step for one step or Run to end.');
    // Each sentence of the empty state once: the status names the episode, the card what to do
    // next, its hint why there are no charts.
    assert.deepEqual(await repeatedSentences(page, '#panel-play .watch'), [], 'a sentence shown twice');
    assert.equal(await page.isVisible('#obs-table'), true);
    const medium = getTask('medium')!;
    assert.ok((await page.textContent('#status'))!.endsWith(`budget ${medium.budget}, at most ${medium.maxSteps} steps.`));
    await page.screenshot({ path: path.join(OUT, 'empty.png'), fullPage: true });
  });

  test('plays an episode to the end by clicking, and plots exactly the stored numbers', needsChromium, async () => {
    await page.selectOption('#task', 'hard');
    await page.fill('#seed', '7');
    await page.fill('#run-name', 'ui-balanced');
    await page.selectOption('#policy', 'balanced');
    await page.click('#btn-step');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 1);
    // The next step from the keyboard, with a visible focus ring on the button.
    await page.focus('#btn-step');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 2);
    // Focus stays on the button across the request (so Enter can be pressed again), with its ring.
    const focus = await page.evaluate(() => {
      const d = (globalThis as any).document;
      return { id: d.activeElement.id as string, ring: (globalThis as any).getComputedStyle(d.activeElement).outlineStyle as string };
    });
    assert.deepEqual(focus, { id: 'btn-step', ring: 'solid' });
    await page.click('#btn-run');
    await page.waitForSelector('#grade .score');

    const snap = await snapshot(page);
    const id = snap.liveEpisodeId!;
    const ep = await stored(id);
    played.balanced = ep;
    assert.equal(ep.task_id, 'hard');
    assert.equal(ep.seed, 7);
    assert.equal(ep.label, 'ui-balanced');
    assert.equal(ep.steps.length, 8, 'hard runs 8 balanced steps');
    assert.ok(ep.steps.every((s) => s.action.action_type === 'select_batch'));

    const obs = [ep.initial_observation, ...ep.steps.map((s) => s.observation)];
    const x0 = obs.map((_, i) => i);
    // Performance, and the hard task's pass line (performance > 0.58) drawn flat beside it.
    assert.deepEqual(snap.charts.performance, [x0, obs.map((o) => o.current_performance), x0.map(() => 0.58)]);
    assert.deepEqual(snap.charts.budget, [x0, obs.map((o) => o.remaining_budget)]);
    // Batch noise ratios as the live replies' info gave them; the store keeps none, but they are
    // implied exactly by consecutive observations (noisy rows that left the pool / rows that left).
    const ratios = ep.steps.map((s, i) => {
      const prev = obs[i]!;
      const taken = prev.samples_available - s.observation.samples_available;
      const noisy = Math.round(prev.noise_estimate * prev.samples_available - s.observation.noise_estimate * s.observation.samples_available);
      return noisy / taken;
    });
    assert.deepEqual(snap.charts.noise, [x0, [null, ...ratios], obs.map((o) => o.noise_estimate)]);
    liveNoise = snap.charts.noise!;
    // Reward: the line and each stacked term, step by step; the five summands add up to it.
    const reward = snap.charts.reward!;
    assert.deepEqual(reward[0], ep.steps.map((s) => s.t));
    assert.deepEqual(reward[1], ep.steps.map((s) => s.reward));
    TERM_KEYS.forEach((k, i) => assert.deepEqual(reward[2 + i], ep.steps.map((s) => s.terms[k] ?? null), k));
    for (let i = 0; i < ep.steps.length; i++) {
      const sum = [2, 3, 4, 5, 6].reduce((a, s) => a + (reward[s]![i] as number), 0);
      assert.ok(Math.abs(sum - ep.steps[i]!.reward) < 1e-12, `terms of step ${i + 1} add up to the reward`);
    }
    assert.deepEqual(snap.labels.reward!.slice(1, 3), ['reward', 'gain']);
    // The classic charts, not the curation family's.
    assert.deepEqual(snap.labels.performance, ['step', 'performance', 'pass line']);
    assert.equal(await page.isVisible('#card-calibration'), false);

    // The grade panel shows the stored grade.
    assert.equal(Number(await page.getAttribute('#grade', 'data-score')), ep.grade.score);
    assert.equal(await page.getAttribute('#grade', 'data-passed'), String(ep.grade.passed));
    assert.equal(await page.textContent('#grade .badge'), ep.grade.passed ? 'Passed' : 'Failed');
    const breakdown = await page.$$eval('#grade tbody td', (tds) => tds.map((t) => [(t as any).dataset.key, t.textContent]));
    // One format per kind: real values with 4 decimals, counts whole (hard's budget_used).
    assert.deepEqual(
      breakdown,
      Object.entries(ep.grade.breakdown).map(([k, v]) => [k, k === 'budget_used' ? String(v) : (v as number).toFixed(4)]),
    );

    // Why it ended and what it returned: hard allows 8 steps, balanced spends 80 of 100 → truncated.
    const maxSteps = getTask('hard')!.maxSteps;
    assert.equal(maxSteps, 8);
    assert.equal(await page.getAttribute('#grade .end-reason', 'data-reason'), 'steps');
    assert.equal(await page.getAttribute('#grade .end-reason', 'data-truncated'), 'true');
    assert.equal(await page.textContent('#grade .end-reason'), 'Step limit reached: 8 of 8 steps (truncated).');
    const ret = ep.steps.reduce((a, s) => a + s.reward, 0);
    assert.equal(Number(await page.getAttribute('#grade', 'data-return')), ret);
    assert.equal(await page.textContent('#total-return'), (ret > 0 ? '+' : '') + ret.toFixed(4));
    // One status line, saying it once.
    assert.match((await page.textContent('#status')) ?? '', /^Episode [0-9a-f]{8} over: step limit after 8 steps; return [+-]\d+\.\d{4}, score \d\.\d{4}, (passed|failed)\.$/);
    assert.equal(await page.locator('#panel-play [role=status]').count(), 1);

    // The step axis spans the task's max_steps from the first step on, on every Play chart.
    const axes = await page.evaluate(() => {
      const r = (globalThis as any).dsConsole;
      return Object.fromEntries(['performance', 'budget', 'noise'].map((n) => [n, [r.charts[n].scales.x.min, r.charts[n].scales.x.max]]));
    });
    assert.deepEqual(axes, { performance: [0, maxSteps], budget: [0, maxSteps], noise: [0, maxSteps] });

    // The whole steps table: every step a row, the last one saying why the episode ended.
    assert.equal(await page.locator('#steps-table tbody tr').count(), 8);
    const lastRow = await page.$$eval('#steps-table tbody tr:last-child td', (tds) => tds.map((t) => t.textContent));
    assert.equal(lastRow.at(-1), 'step limit');
    const numbers = await page.$$eval('#steps-table tbody td.num', (tds) => tds.map((t) => t.textContent ?? ''));
    assert.ok(numbers.every((v) => /^([+-]?\d+(\.\d{4})?|–)$/.test(v)), `steps table numbers: ${numbers.join(' ')}`);

    await page.screenshot({ path: path.join(OUT, 'play.png'), fullPage: true });
  });

  test('the Stop button ends an episode with the stop reward', needsChromium, async () => {
    await page.fill('#run-name', 'ui-stop');
    await page.click('#btn-reset');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 0);
    await page.click('#btn-stop');
    await page.waitForSelector('#grade .score');
    const snap = await snapshot(page);
    const ep = await stored(snap.liveEpisodeId!);
    played.stop = ep;
    assert.equal(ep.label, 'ui-stop');
    assert.equal(ep.steps.length, 1);
    assert.equal(ep.steps[0]!.action.action_type, 'stop');
    const reward = snap.charts.reward!;
    assert.deepEqual(reward[1], [ep.steps[0]!.reward]);
    // A stop has one term, its stop reward; the selection terms are absent (no bar).
    assert.deepEqual(reward[2 + TERM_KEYS.indexOf('stop_reward')], [ep.steps[0]!.reward]);
    assert.deepEqual(reward[2 + TERM_KEYS.indexOf('gain')], [null]);
    assert.equal(Number(await page.getAttribute('#grade', 'data-score')), ep.grade.score);
  });

  test('compares two finished episodes: listed with their labels, curves overlaid', needsChromium, async () => {
    assert.ok(played.balanced && played.stop, 'needs the two episodes played by the tests above');
    await page.click('#tab-compare');
    const a = played.balanced!;
    const b = played.stop!;
    for (const ep of [a, b]) {
      const row = page.locator(`#episodes-table tr[data-episode-id="${ep.episode_id}"]`);
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', new RegExp(`${ep.label}.*${ep.task_id}`));
      await row.locator('input[type=checkbox]').check();
    }
    await page.waitForFunction(() => (globalThis as any).dsConsole.compared.length === 2);
    const snap = await snapshot(page);
    assert.deepEqual(snap.compared, [a.episode_id, b.episode_id]);
    const len = Math.max(a.steps.length, b.steps.length);
    const pad = (v: number[]) => [...v, ...Array(len + 1 - v.length).fill(null)];
    const perf = (ep: StoredEpisode) => pad([ep.initial_observation.current_performance, ...ep.steps.map((s) => s.observation.current_performance)]);
    const cum = (ep: StoredEpisode) => {
      let acc = 0;
      return pad([0, ...ep.steps.map((s) => (acc += s.reward))]);
    };
    const x = Array.from({ length: len + 1 }, (_, i) => i);
    assert.deepEqual(snap.charts.compare, [x, perf(a), perf(b)]);
    assert.deepEqual(snap.charts.compareReward, [x, cum(a), cum(b)]);
    assert.match(snap.labels.compare![1]!, /^ui-balanced · hard\/7 · /);
    assert.match(snap.labels.compare![2]!, /^ui-stop · hard\/7 · /);
    assert.equal(await page.locator('#cmp-summary tbody tr').count(), 2);
    // AUBC where the grade reports one (not on the classic tasks), as the breakdown gives it.
    const aubc = (ep: StoredEpisode) => (typeof ep.grade.breakdown.aubc === 'number' ? ep.grade.breakdown.aubc.toFixed(4) : '–');
    assert.deepEqual(await page.$$eval('#cmp-summary tbody td[data-col="AUBC"]', (tds) => tds.map((t) => t.textContent)), [aubc(a), aubc(b)]);
    // The overlay is announced once, not by two lines saying the same thing.
    assert.equal(await page.locator('#panel-compare :text("Overlaying")').count(), 1);
    const boxNames = await page.$$eval('#episodes-table input[type=checkbox]', (bs) => bs.map((b) => (b as any).getAttribute('aria-label')));
    assert.ok(boxNames.every((n) => typeof n === 'string' && n.startsWith('Compare ')), 'row checkboxes are named');
    await page.screenshot({ path: path.join(OUT, 'compare.png'), fullPage: true });

    // Watch brings a stored episode back into the Play charts, with the same numbers as live.
    const live = (await snapshot(page)).charts;
    await page.locator(`#episodes-table tr[data-episode-id="${a.episode_id}"] button`).click();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#panel-play').hidden === false);
    const back = await snapshot(page);
    assert.equal(back.liveEpisodeId, a.episode_id);
    assert.deepEqual(back.charts.performance![1], perf(a).filter((v) => v !== null));
    assert.deepEqual(back.charts.reward![1], a.steps.map((s) => s.reward));
    assert.deepEqual(back.charts.noise, liveNoise, 'noise ratios recovered from the store = the live ones');
    assert.equal(await page.locator('#steps-table tbody tr').count(), a.steps.length);
    assert.equal(Number(await page.getAttribute('#grade', 'data-score')), a.grade.score);
    assert.ok(live.compare, 'compare chart still registered');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  test('an eval run against the server reads in Compare as groups: mean grade ± 95 % CI, pass rate, episodes', needsChromium, async () => {
    const reports = await evalOverHttp(['balanced', 'random'], ['easy', 'hard']);
    await page.click('#tab-compare');
    await refreshCompare(page);
    for (const r of reports) {
      for (const t of r.tasks) {
        const row = page.locator(`#groups-table tr[data-label="eval:${r.policy}"][data-task="${t.task_id}"]`);
        await row.waitFor();
        const ci = row.locator('td[data-col^="Mean grade"]');
        // Exactly the evaluator's statistics, shown with 4 decimals.
        assert.equal(Number(await ci.getAttribute('data-mean')), t.mean_grade);
        assert.equal(Number(await ci.getAttribute('data-half')), t.ci95_half_width);
        assert.equal(await ci.textContent(), `${t.mean_grade.toFixed(4)} ± ${t.ci95_half_width!.toFixed(4)}`);
        assert.equal(await row.locator('td[data-col="Episodes"]').textContent(), String(t.episodes));
        assert.equal(await row.locator('td[data-col="Pass rate"]').textContent(), `${(t.pass_rate * 100).toFixed(1)} %`);
      }
    }
    // "List" narrows the episode list to the group's label.
    await page.locator('#groups-table tr[data-label="eval:random"][data-task="hard"] button').click();
    assert.equal(await page.inputValue('#cmp-label'), 'eval:random');
    const labels = await page.$$eval('#episodes-table tbody td[data-col="Label"]', (tds) => tds.map((t) => t.textContent));
    assert.equal(labels.length, 12);
    assert.ok(labels.every((l) => l === 'eval:random'));
    await page.selectOption('#cmp-label', '');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  test('data-set groups in Compare: mean AUBC ± 95 % CI as eval reports it, and their mean learning curves with bands', needsChromium, async () => {
    const task = 'iris';
    const reports = await evalOverHttp(['uncertainty', 'random'], [task]);
    await page.click('#tab-compare');
    await refreshCompare(page);
    for (const r of reports) {
      const a = r.tasks[0]!.curation!.aubc!;
      assert.equal(a.episodes, 6);
      const cell = page.locator(`#groups-table tr[data-label="eval:${r.policy}"][data-task="${task}"] td[data-col^="Mean AUBC"]`);
      // Exactly the evaluator's figures (the same function over the same episodes in the same order).
      assert.equal(Number(await cell.getAttribute('data-mean')), a.mean);
      assert.equal(Number(await cell.getAttribute('data-low')), a.ci95_low);
      assert.equal(Number(await cell.getAttribute('data-high')), a.ci95_high);
      assert.equal(await cell.textContent(), `${a.mean.toFixed(4)} ± ${(a.ci95_high! - a.mean).toFixed(4)}`);
    }
    // A classic group has no AUBC.
    assert.equal(await page.textContent('#groups-table tr[data-label="eval:random"][data-task="easy"] td[data-col^="Mean AUBC"]'), '–');
    assert.equal(await page.locator('#groups-table tr[data-task="easy"] td[data-col="Curve"] input').count(), 0, 'no curve to plot on a classic task');

    // The chart: the newest task's groups (iris), newest group first, each the mean of its
    // episodes' stored learning curves (GET /episodes/{id}), read as AUBC reads them.
    assert.equal(await page.isVisible('#curves-card'), true);
    const snap = await snapshot(page);
    const shown = await page.evaluate(() => (globalThis as any).dsConsole.curves as { label: string; task_id: string; band: { low: (number | null)[]; high: (number | null)[] } | null }[]);
    assert.deepEqual(shown.map((c) => [c.label, c.task_id]), [['eval:random', task], ['eval:uncertainty', task]]);
    assert.deepEqual(snap.labels.curves, ['labels bought', `eval:random · ${task} (6 episodes)`, `eval:uncertainty · ${task} (6 episodes)`]);
    const budget = getTask(task)!.budget;
    const curvesOf = async (r: EvalReport) => {
      const out = [];
      for (const e of r.episodes) {
        const rec = (await (await fetch(`${base}/episodes/${e.episode_id}`)).json()) as { grade: { learning_curve: { budget_used: number[]; test_accuracy: number[] } } };
        assert.deepEqual(rec.grade.learning_curve, e.learning_curve, 'the store keeps the curve the grader gave');
        out.push(rec.grade.learning_curve);
      }
      return out;
    };
    const byGroup = [await curvesOf(reports[1]!), await curvesOf(reports[0]!)];
    const x = [...new Set([0, budget, ...byGroup.flat().flatMap((c) => c.budget_used)])].sort((p, q) => p - q);
    const data = snap.charts.curves!;
    assert.deepEqual(data[0], x);
    assert.equal(x.at(-1), budget);
    // Independent reading: linear between points, the last accuracy held to the budget.
    const at = (c: { budget_used: number[]; test_accuracy: number[] }, b: number) => {
      const i = c.budget_used.findLastIndex((v) => v <= b);
      if (i === c.budget_used.length - 1) return c.test_accuracy[i]!;
      const [x0, x1, y0, y1] = [c.budget_used[i]!, c.budget_used[i + 1]!, c.test_accuracy[i]!, c.test_accuracy[i + 1]!];
      return y0 + ((y1 - y0) * (b - x0)) / (x1 - x0);
    };
    byGroup.forEach((curves, g) => {
      const band = shown[g]!.band!;
      x.forEach((b, i) => {
        const vals = curves.map((c) => at(c, b));
        const ci = meanConfidenceInterval(vals);
        assert.ok(Math.abs((data[g + 1]![i] as number) - ci.mean) < 1e-12, `group ${g} at ${b} labels`);
        assert.ok(Math.abs(band.low[i]! - ci.low!) < 1e-12 && Math.abs(band.high[i]! - ci.high!) < 1e-12, `band of group ${g} at ${b}`);
      });
      // The area under the mean curve is the group's mean AUBC.
      let area = 0;
      for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * ((data[g + 1]![i] as number) + (data[g + 1]![i - 1] as number))) / 2;
      const report = g === 0 ? reports[1]! : reports[0]!;
      assert.ok(Math.abs(area / budget - report.tasks[0]!.curation!.aubc!.mean) < 1e-12, `area ${area / budget}`);
    });
    // The two policies' curves really differ (the chart is not one line drawn twice).
    assert.notDeepEqual(data[1], data[2]);

    await atWidths(page, 'curves', 'Compare', async (width) => {
      await page.locator('#groups-table').screenshot({ path: path.join(OUT, `groups-${width}.png`) });
      await page.locator('#curves-card').screenshot({ path: path.join(OUT, `curves-${width}.png`) });
    });

    // Unticking a group takes its curve off; ticking it brings it back.
    const box = page.locator(`#groups-table tr[data-label="eval:uncertainty"][data-task="${task}"] td[data-col="Curve"] input`);
    await box.uncheck();
    assert.deepEqual((await snapshot(page)).labels.curves, ['labels bought', `eval:random · ${task} (6 episodes)`]);
    await box.check();
    assert.equal((await snapshot(page)).labels.curves!.length, 3);
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  test('plays a curation task with adaptive: the signals an agent sees are charted, the regime shows only after the end', needsChromium, async () => {
    // curation-hard seed 1 is a defaulting source where the reference adaptive rule flags it
    // after two uncertainty batches (its golden trace), so both halves of the rule are played.
    const task = 'curation-hard';
    const seed = 1;
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => requests.push(new URL(r.url()).pathname);
    page.on('request', onRequest);
    try {
      await page.click('#tab-play');
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.selectOption('#task', task);
      await page.fill('#seed', String(seed));
      await page.fill('#run-name', '');
      await page.selectOption('#policy', 'adaptive');
      assert.match((await page.textContent('#policy-desc')) ?? '', /reference adaptive rule/);
      assert.match((await page.textContent('#weights-hint')) ?? '', /chooses every action from the observation/);
      // The sliders and the batch are not what it plays: shown dimmed.
      assert.match((await page.getAttribute('#weights-group', 'class')) ?? '', /\bunused\b/);
      assert.match((await page.getAttribute('#batch-field', 'class')) ?? '', /\bunused\b/);
      await page.selectOption('#pace', '0');
      await page.click('#btn-step');
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 1);
      await page.click('#btn-step');
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 2);
      const id = (await snapshot(page)).liveEpisodeId!;

      // Mid-episode: the curation charts are up, and nothing anywhere says the regime.
      assert.equal(await page.isVisible('#card-calibration'), true);
      assert.equal(await page.textContent('#cap-performance'), 'Validation performance and accuracy');
      const mid = await snapshot(page);
      assert.deepEqual(mid.labels.performance, ['step', 'performance', 'validation accuracy']);
      assert.deepEqual(mid.labels.calibration, ['step', 'uncertainty', 'diversity', 'random', 'zero']);
      assert.deepEqual(mid.labels.reward!.slice(1), ['reward', 'validation gain', 'stop reward']);
      const text = await page.locator('body').innerText();
      assert.doesNotMatch(text, /regime|defaulting/i, 'the regime is named before the end');
      assert.equal(await page.locator('#grade table').count(), 0, 'a grade breakdown before the end');
      assert.deepEqual(requests.filter((p) => p === '/grader' || p.startsWith('/episodes')), [], 'the grade was asked for before the end');
      await page.screenshot({ path: path.join(OUT, 'curation-mid.png'), fullPage: true });

      await page.click('#btn-run');
      await page.waitForSelector('#grade .score');
      const ep = await stored(id);
      played.curation = ep;
      assert.equal(ep.task_id, task);
      assert.equal(ep.label, 'adaptive');

      // The policy played exactly the reference adaptive rule: the golden trace's actions, and
      // the library's own policy in process.
      const golden = openFamily('curation').json<{ actions: unknown[] }>(`traces/${task}-s${seed}-adaptive.json`);
      assert.deepEqual(ep.steps.map((s) => s.action), golden.actions);
      const env = makeEnv(task);
      const policy = BUILTIN_POLICIES.adaptive!.create();
      let o = env.reset({ task, seed }).observation;
      const local: unknown[] = [];
      for (let t = 0, done = false; !done; t++) {
        const a = await policy(o, { task_id: task, seed, step: t });
        local.push(a);
        const r = env.step(a);
        o = r.observation;
        done = r.done;
      }
      assert.deepEqual(ep.steps.map((s) => s.action), local);
      assert.deepEqual(ep.steps.map((s) => Object.keys(s.action.strategy_weights)[0]), ['uncertainty', 'uncertainty', 'diversity', 'diversity', 'diversity', 'diversity', 'diversity', 'diversity']);

      // Every plotted point is the stored episode's: validation performance and accuracy, the
      // noise estimate and pool uncertainty, each strategy's calibration gap from last_batch.
      const snap = await snapshot(page);
      const obs = [ep.initial_observation, ...ep.steps.map((s) => s.observation)];
      const x0 = obs.map((_, i) => i);
      assert.deepEqual(snap.charts.performance, [x0, obs.map((q) => q.current_performance), obs.map((q) => q.validation_accuracy)]);
      assert.deepEqual(snap.charts.noise, [x0, obs.map((q) => q.noise_estimate), obs.map((q) => q.pool_uncertainty)]);
      const gap = (k: 'uncertainty' | 'diversity' | 'random') => [
        null,
        ...ep.steps.map((s) => {
          const b = s.observation.last_batch?.[k];
          return b ? b.label_mean! - b.pred_mean! : null;
        }),
      ];
      assert.deepEqual(snap.charts.calibration, [x0, gap('uncertainty'), gap('diversity'), gap('random'), x0.map(() => 0)]);
      assert.ok(gap('uncertainty').slice(1, 3).every((g) => typeof g === 'number'), 'the two uncertainty batches have a gap');
      assert.ok(gap('diversity').slice(3).every((g) => typeof g === 'number'), 'the diversity batches have a gap');
      assert.deepEqual(snap.charts.reward, [
        ep.steps.map((s) => s.t),
        ep.steps.map((s) => s.reward),
        ep.steps.map((s) => s.terms.validation_gain ?? null),
        ep.steps.map((s) => s.terms.stop_reward ?? null),
      ]);
      const maxSteps = getTask(task)!.maxSteps;
      assert.deepEqual(
        await page.evaluate(() => {
          const c = (globalThis as any).dsConsole.charts.calibration;
          return [c.scales.x.min, c.scales.x.max];
        }),
        [0, maxSteps],
      );

      // At the end: the grade with its whole breakdown, the regime among it.
      const grader = (await (await fetch(`${base}/grader`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ episode_id: id }) })).json()) as StoredEpisode['grade'];
      assert.deepEqual(grader.breakdown, ep.grade.breakdown);
      assert.equal(ep.grade.breakdown.regime, 'defaulting');
      const rows = await page.$$eval('#grade tbody tr', (trs) => trs.map((tr) => [(tr.querySelector('td') as any).dataset.key, tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]));
      assert.deepEqual(rows.map((r) => r[0]), Object.keys(ep.grade.breakdown));
      assert.deepEqual(rows.find((r) => r[0] === 'regime'), ['regime', 'Regime (hidden during the episode)', 'defaulting']);
      for (const [k, , v] of rows) if (k !== 'regime') assert.match(v!, /^[+-]?\d+(\.\d{4})?$/, `${k}: ${v}`);
      assert.equal(Number(await page.getAttribute('#grade', 'data-score')), ep.grade.score);
      // Eight batches of 10 spend the budget of 80 on the last allowed step: terminated, not truncated.
      assert.equal(ep.steps.at(-1)!.observation.remaining_budget, 0);
      assert.equal(await page.getAttribute('#grade .end-reason', 'data-reason'), 'budget');
      assert.equal(await page.getAttribute('#grade .end-reason', 'data-terminated'), 'true');
      assert.equal(await page.locator('#steps-table tbody tr').count(), maxSteps);
      await page.screenshot({ path: path.join(OUT, 'curation.png'), fullPage: true });
      assert.deepEqual(pageErrors, [], 'no errors in the page');
    } finally {
      page.off('request', onRequest);
      await page.selectOption('#pace', '150');
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  test('one-batch on a curation task: the whole budget in one balanced batch, split by the family rule', needsChromium, async () => {
    await page.selectOption('#task', 'curation-medium');
    await page.fill('#seed', '3');
    await page.selectOption('#policy', 'balanced');
    assert.doesNotMatch((await page.getAttribute('#weights-group', 'class')) ?? '', /\bunused\b/, 'a fixed policy plays the sliders');
    // The curation split of 0.4/0.4/0.2 (floor(b·w/Σw)), not the classic one.
    assert.equal(await page.textContent('#weights-hint'), 'A batch of 10 splits 4 uncertainty / 4 diversity / 2 random.');
    await page.fill('#batch', '3');
    assert.equal(await page.textContent('#weights-hint'), "A batch of 3 is raised to the task's minimum of 5, split 2 uncertainty / 2 diversity / 1 random.");
    await page.fill('#batch', '10');
    await page.selectOption('#policy', 'one-batch');
    // The previous test's grade is still on screen: wait for this run's episode and its grade.
    const before = (await snapshot(page)).liveEpisodeId;
    await page.click('#btn-run');
    await page.waitForFunction((prev) => (globalThis as any).dsConsole.liveEpisodeId !== prev && (globalThis as any).document.querySelector('#grade .score') !== null, before);
    const ep = await stored((await snapshot(page)).liveEpisodeId!);
    const budget = getTask('curation-medium')!.budget;
    assert.deepEqual(ep.steps[0]!.action, { ...BUILTIN_POLICIES.balanced!.action, batch_size: budget });
    assert.equal(ep.steps.length, 1);
    assert.equal(ep.steps[0]!.observation.remaining_budget, 0);
    assert.equal(await page.getAttribute('#grade .end-reason', 'data-reason'), 'budget');
    assert.equal(await page.locator('#grade td[data-key="regime"]').count(), 1);
  });

  test("a data-set task offers a slider for every strategy it declares (/tasks); a library mix is played as set", needsChromium, async () => {
    const listed = ((await (await fetch(`${base}/tasks`)).json()) as { tasks: { task_id: string; strategies: string[] }[] }).tasks;
    const sliderIds = () => page.$$eval('#weights-sliders input[type=range]', (xs) => xs.map((x) => (x as any).id as string));
    await page.click('#tab-play');
    await page.selectOption('#policy', 'balanced');
    // The classic tasks keep exactly their three; every other task shows its own list, in its order.
    for (const t of listed) {
      await page.selectOption('#task', t.task_id);
      assert.deepEqual(await sliderIds(), t.strategies.map((x) => `w-${x}`), t.task_id);
      if (getTask(t.task_id)!.family === 'classic') assert.deepEqual(t.strategies, ['uncertainty', 'diversity', 'random']);
    }
    const task = 'iris';
    const strategies = listed.find((t) => t.task_id === task)!.strategies;
    assert.ok(strategies.includes('margin') && strategies.includes('coreset') && strategies.length > 3);
    await page.selectOption('#task', task);
    await page.fill('#seed', '4');
    await page.fill('#run-name', 'ui-library');
    await page.fill('#batch', '10');
    // The balanced policy's weights are in the classic three, the library at 0.
    assert.equal(await page.textContent('#w-uncertainty-out'), '0.40');
    assert.equal(await page.textContent('#w-margin-out'), '0.00');
    // From the keyboard: the classic three to 0 (Home), margin and coreset to 1 (End).
    for (const k of ['uncertainty', 'diversity', 'random']) {
      await page.focus(`#w-${k}`);
      await page.keyboard.press('Home');
    }
    for (const k of ['margin', 'coreset']) {
      await page.focus(`#w-${k}`);
      await page.keyboard.press('End');
    }
    assert.equal(await page.inputValue('#policy'), 'manual');
    assert.equal(await page.textContent('#w-coreset-out'), '1.00');
    // The library's split (src/env/actions.ts strategySplit): ⌊10·1/2⌋ each, random the rest (0).
    assert.equal(await page.textContent('#weights-hint'), 'A batch of 10 splits 5 margin / 5 coreset.');
    // Every control still has its label.
    for (const k of strategies) assert.equal(await page.textContent(`label[for="w-${k}"]`), k === 'badge' ? 'BADGE' : (k.charAt(0).toUpperCase() + k.slice(1)).replace(/_/g, ' '));
    // A new episode first (the previous test's one-step episode is still in the steps table).
    await page.click('#btn-reset');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 0);
    await page.click('#btn-step');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 1);
    await page.click('#btn-step');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#steps-table tbody tr').length === 2);
    assert.equal(await page.isVisible('#error'), false, 'the action was refused');
    const id = (await snapshot(page)).liveEpisodeId!;
    await page.screenshot({ path: path.join(OUT, 'library-mid.png'), fullPage: true });
    await page.click('#btn-run');
    await page.waitForFunction((want) => (globalThis as any).dsConsole.liveEpisodeId === want && (globalThis as any).document.querySelector('#grade .score') !== null, id);
    const ep = await stored(id);
    assert.equal(ep.label, 'ui-library');
    // What was sent is what the sliders said, every step, and the environment bought it so.
    for (const s of ep.steps) assert.deepEqual(s.action, { action_type: 'select_batch', batch_size: 10, strategy_weights: { margin: 1, coreset: 1 } });
    const lb = (s: StoredEpisode['steps'][number]) => (s.observation as unknown as { last_batch: { strategies: Record<string, { n: number; disagree: number; expected: number }> } }).last_batch;
    assert.deepEqual(Object.keys(lb(ep.steps[0]!).strategies).sort(), ['coreset', 'margin']);
    assert.deepEqual([lb(ep.steps[0]!).strategies.margin!.n, lb(ep.steps[0]!).strategies.coreset!.n], [5, 5]);

    // The data-set charts and tables: the surplus disagreement of each strategy's batch, per step.
    const snap = await snapshot(page);
    assert.equal(await page.isVisible('#card-calibration'), true);
    assert.match((await page.textContent('#cap-calibration')) ?? '', /^Surplus disagreement of each batch/);
    assert.deepEqual(snap.labels.calibration, ['step', 'margin', 'coreset', 'zero']);
    const x0 = [0, ...ep.steps.map((_, i) => i + 1)];
    const surplus = (k: string) => [null, ...ep.steps.map((s) => lb(s).strategies[k]!.disagree - lb(s).strategies[k]!.expected)];
    assert.deepEqual(snap.charts.calibration, [x0, surplus('margin'), surplus('coreset'), x0.map(() => 0)]);
    const heads = await page.$$eval('#steps-table thead th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(heads, ['Step', 'Action', 'Reward', 'Performance', 'Val. accuracy', 'Budget left', 'Noise est.', 'Surplus margin', 'Surplus coreset', 'End']);
    assert.equal(await page.textContent('#steps-table tbody tr:first-child td[data-col="Action"]'), 'select 10 · margin 1 coreset 1');
    const obsRows = Object.fromEntries(await page.$$eval('#obs-table tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent])));
    const last = ep.steps.at(-1)!.observation as unknown as { n_classes: number; class_counts: number[] };
    assert.equal(obsRows['Classes (K)'], String(last.n_classes));
    assert.equal(obsRows['Labelled per class'], last.class_counts.join(' / '));
    assert.equal(obsRows['Last batch surplus disagreement, margin'], (surplus('margin').at(-1) as number).toFixed(4));
    assert.equal(Number(await page.getAttribute('#grade', 'data-score')), ep.grade.score);
    await atWidths(page, 'calibration', 'Play', async (width) => {
      await page.locator('#weights-group').screenshot({ path: path.join(OUT, `sliders-${width}.png`) });
      await page.locator('#card-calibration').screenshot({ path: path.join(OUT, `surplus-${width}.png`) });
      await page.screenshot({ path: path.join(OUT, `library-${width}.png`), fullPage: true });
    });
    // Back on a classic task: its three sliders, with the weights last set for them (0 now).
    await page.selectOption('#task', 'easy');
    assert.deepEqual(await sliderIds(), ['w-uncertainty', 'w-diversity', 'w-random']);
    assert.equal(await page.textContent('#weights-hint'), 'All weights are zero: raise at least one to select a batch.');
    await page.selectOption('#policy', 'balanced');
    assert.equal(await page.textContent('#weights-hint'), 'A batch of 10 splits 3 uncertainty / 3 diversity / 4 random.');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  for (const width of [1366, 420]) {
    test(`layout at ${width} px: no horizontal overflow, Watch buttons visible, the whole steps table reachable`, needsChromium, async () => {
      await page.setViewportSize({ width, height: 800 });
      try {
        const overflow = () =>
          page.evaluate(() => {
            const d = (globalThis as any).document.documentElement;
            return d.scrollWidth - d.clientWidth;
          });
        // Compare: the list of the eval run above (the longest labels and every column).
        await page.click('#tab-compare');
        await page.selectOption('#cmp-label', '');
        // The list as it is now (every episode played above), not rows left from an earlier load
        // that a late refresh would replace while they are measured.
        await refreshCompare(page);
        await page.locator('#episodes-table tbody tr').first().waitFor();
        assert.equal(await overflow(), 0, 'Compare overflows horizontally');
        // Every table of the tab is shown whole: no box that has to be scrolled, either way.
        const boxed = () =>
          page.$$eval('.table-wrap', (ws) =>
            ws.filter((w: any) => w.offsetParent !== null && (w.scrollWidth > w.clientWidth + 1 || w.scrollHeight > w.clientHeight + 1)).map((w: any) => w.querySelector('table')?.id),
          );
        assert.deepEqual(await boxed(), [], 'tables inside scroll boxes');
        const watches = page.locator('#episodes-table tbody button', { hasText: 'Watch' });
        const n = await watches.count();
        assert.ok(n >= 10, `${n} Watch buttons`);
        for (let i = 0; i < n; i++) {
          const b = watches.nth(i);
          await b.scrollIntoViewIfNeeded();
          const box = (await b.boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= width, `Watch ${i} at x ${box.x}..${box.x + box.width} of ${width}`);
          // Not hidden under or clipped by anything: the button itself is what is at its centre.
          const hit = await b.evaluate((el, [x, y]) => (globalThis as any).document.elementFromPoint(x, y) === el, [box.x + box.width / 2, box.y + box.height / 2]);
          assert.ok(hit, `Watch ${i} is covered or clipped`);
        }
        // The Finished column is whole: its text fits its cell.
        const clipped = await page.$$eval('#episodes-table tbody td[data-col="Finished"]', (tds) => tds.filter((t) => (t as any).scrollWidth > (t as any).clientWidth).length);
        assert.equal(clipped, 0, 'Finished times are cut');
        await page.screenshot({ path: path.join(OUT, `compare-${width}.png`), fullPage: true });

        // Play: Watch a 15-step episode of the eval run (taller than any fixed box) and reach every step of its table.
        await page.selectOption('#cmp-label', 'eval:balanced');
        const long = page.locator('#episodes-table tbody tr', { has: page.locator('td[data-col="Steps"]', { hasText: /^15$/ }) }).first();
        const longId = (await long.getAttribute('data-episode-id'))!;
        await long.locator('button', { hasText: 'Watch' }).click();
        await page.waitForFunction((id) => (globalThis as any).dsConsole.liveEpisodeId === id, longId);
        assert.equal(await overflow(), 0, 'Play overflows horizontally');
        assert.deepEqual(await boxed(), [], 'tables inside scroll boxes');
        const rows = page.locator('#steps-table tbody tr');
        assert.equal(await rows.count(), 15);
        for (let i = 0; i < (await rows.count()); i++) {
          const r = rows.nth(i);
          await r.scrollIntoViewIfNeeded();
          const box = (await r.boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= width, `step row ${i + 1} fits the width`);
          const hit = await r.evaluate((el, [x, y]) => el.contains((globalThis as any).document.elementFromPoint(x, y)), [box.x + box.width / 2, box.y + box.height / 2]);
          assert.ok(hit, `step row ${i + 1} is hidden (clipped by a scroll box?)`);
        }
        await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
        await page.screenshot({ path: path.join(OUT, `play-${width}.png`), fullPage: true });

        // A curation episode (more columns, the calibration chart, the regime in the breakdown) fits too.
        const cur = played.curation;
        assert.ok(cur, 'needs the curation episode played above');
        await page.click('#tab-compare');
        await refreshCompare(page);
        await page.selectOption('#cmp-label', 'adaptive');
        await page.locator(`#episodes-table tr[data-episode-id="${cur.episode_id}"] button`, { hasText: 'Watch' }).click();
        await page.waitForFunction((id) => (globalThis as any).dsConsole.liveEpisodeId === id, cur.episode_id);
        assert.equal(await page.isVisible('#card-calibration'), true);
        assert.equal(await page.textContent('#grade td[data-key="regime"]'), cur.grade.breakdown.regime);
        assert.equal(await overflow(), 0, 'Play overflows horizontally with a curation episode');
        assert.deepEqual(await boxed(), [], 'tables inside scroll boxes');
        await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
        await page.screenshot({ path: path.join(OUT, `curation-${width}.png`), fullPage: true });
      } finally {
        await page.setViewportSize({ width: 1440, height: 900 });
      }
    });
  }
});
