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
import { buildApp, type AppHandle } from '../../src/server/app.ts';
import { testConfig } from '../../src/server/config.ts';
import { findChromium, launch, SKIP_REASON } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = path.join(ROOT, 'test-output', 'web');
const TERM_KEYS = ['gain', 'budget_cost', 'redundancy_penalty', 'noise_penalty', 'step_bonus', 'stop_reward'] as const;

interface Obs {
  remaining_budget: number;
  noise_estimate: number;
  current_performance: number;
  samples_available: number;
}
interface StoredEpisode {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  step_count: number;
  initial_observation: Obs;
  steps: { t: number; reward: number; terms: Record<string, number>; observation: Obs; action: { action_type: string } }[];
  grade: { score: number; passed: boolean; breakdown: Record<string, number> };
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
    const policies = await page.$$eval('#policy option', (os) => os.map((o) => (o as any).value));
    assert.deepEqual(policies, ['manual', 'balanced', 'random', 'uncertainty', 'diversity', 'stop']);

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

    // The grade panel shows the stored grade.
    assert.equal(Number(await page.getAttribute('#grade', 'data-score')), ep.grade.score);
    assert.equal(await page.getAttribute('#grade', 'data-passed'), String(ep.grade.passed));
    assert.equal(await page.textContent('#grade .badge'), ep.grade.passed ? 'Passed' : 'Failed');
    const breakdown = await page.$$eval('#grade tbody th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(breakdown, Object.keys(ep.grade.breakdown).map((k) => k.replace(/_/g, ' ')));
    assert.match((await page.textContent('#status')) ?? '', /over after 8 steps/);
    assert.equal(await page.locator('#steps-table tbody tr').count(), 8);

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
});
