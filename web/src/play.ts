/**
 * Play & watch: drives one WebSocket episode from the form (manual weights or a built-in policy)
 * and renders every reply as it arrives — four charts, the observation table, the steps table —
 * then the grade once the episode is stored.
 */
import { ApiError, EnvSocket, getEpisode, grade as postGrade } from './api.ts';
import { lineChart, stackedChart, PALETTE, type Chart, type Series } from './charts.ts';
import { byId, el, num, passBadge, shortId, signed } from './format.ts';
import { POLICIES, policyById } from './policies.ts';
import { registerChart, registry } from './registry.ts';
import type { Action, EpisodeRecord, Grade, Observation, ObservationReply, Strategy, Task, Terms, Weights } from './types.ts';

const STRATEGIES: Strategy[] = ['uncertainty', 'diversity', 'random'];

/** The signed summands of a selection reward, plus a stop's single term. */
export const REWARD_TERMS = [
  { key: 'gain', label: 'gain', color: PALETTE[2]! },
  { key: 'budget_cost', label: 'budget cost', color: PALETTE[1]! },
  { key: 'redundancy_penalty', label: 'redundancy', color: PALETTE[3]! },
  { key: 'noise_penalty', label: 'noise', color: PALETTE[4]! },
  { key: 'step_bonus', label: 'step bonus', color: PALETTE[5]! },
  { key: 'stop_reward', label: 'stop reward', color: PALETTE[0]! },
] as const;

interface LiveStep {
  step: number;
  action: Action;
  reward: number;
  terms: Terms;
  noiseRatio: number | null;
  observation: Observation;
  done: boolean;
}

interface Episode {
  id: string;
  taskId: string;
  seed: number;
  label: string;
  initial: Observation;
  steps: LiveStep[];
  done: boolean;
  grade: Grade | null;
}

const OBS_FIELDS: { key: keyof Observation; label: string; digits: number }[] = [
  { key: 'current_performance', label: 'Validation performance', digits: 4 },
  { key: 'remaining_budget', label: 'Remaining budget', digits: 0 },
  { key: 'samples_available', label: 'Pool size', digits: 0 },
  { key: 'noise_estimate', label: 'Pool noise estimate', digits: 4 },
  { key: 'diversity_score', label: 'Diversity score', digits: 4 },
];

/**
 * How the environment divides a batch (BEHAVIOUR S3, S9): weights over their sum + 1e-8 (added in
 * key order), uncertainty and diversity counts truncated, random takes the remainder — its own
 * weight is never read. Shown so people see why 0.4/0.4/0.2 of 10 is 3/3/4. (The server may
 * still raise a batch to the task's minimum or cut it to the budget.)
 */
export function splitBatch(b: number, w: Weights): Record<Strategy, number> {
  let total = 0;
  for (const v of Object.values(w)) total += v ?? 0;
  total += 1e-8;
  const nu = Math.trunc(b * ((w.uncertainty ?? 0) / total));
  const nd = Math.trunc(b * ((w.diversity ?? 0) / total));
  return { uncertainty: nu, diversity: nd, random: Math.max(0, b - nu - nd) };
}

function splitText(b: number, w: Weights): string {
  const n = splitBatch(b, w);
  return STRATEGIES.map((s) => `${n[s]} ${s}`).join(' / ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class PlayPanel {
  private readonly socket = new EnvSocket();
  private episode: Episode | null = null;
  private busy = false;
  private running = false;
  private readonly charts: Record<'performance' | 'reward' | 'budget' | 'noise', Chart>;

  private readonly f = {
    task: byId<HTMLSelectElement>('task'),
    taskDesc: byId('task-desc'),
    seed: byId<HTMLInputElement>('seed'),
    seedErr: byId('seed-err'),
    runName: byId<HTMLInputElement>('run-name'),
    policy: byId<HTMLSelectElement>('policy'),
    policyDesc: byId('policy-desc'),
    batch: byId<HTMLInputElement>('batch'),
    batchErr: byId('batch-err'),
    weightsHint: byId('weights-hint'),
    reset: byId<HTMLButtonElement>('btn-reset'),
    step: byId<HTMLButtonElement>('btn-step'),
    stop: byId<HTMLButtonElement>('btn-stop'),
    run: byId<HTMLButtonElement>('btn-run'),
    pace: byId<HTMLSelectElement>('pace'),
    status: byId('status'),
    error: byId('error'),
    obs: byId<HTMLTableElement>('obs-table'),
    steps: byId<HTMLTableElement>('steps-table'),
    grade: byId('grade'),
  };
  private readonly sliders = Object.fromEntries(
    STRATEGIES.map((s) => [s, { input: byId<HTMLInputElement>(`w-${s}`), out: byId<HTMLOutputElement>(`w-${s}-out`) }]),
  ) as Record<Strategy, { input: HTMLInputElement; out: HTMLOutputElement }>;

  constructor() {
    this.charts = {
      performance: lineChart(byId('chart-performance'), {
        xLabel: 'step',
        yLabel: 'performance',
        series: [
          { label: 'performance', color: PALETTE[0]! },
          { label: 'pass line', color: '#6e7781', dash: [4, 4], points: false },
        ],
      }),
      reward: stackedChart(byId('chart-reward'), {
        xLabel: 'step',
        yLabel: 'reward',
        total: { label: 'reward', color: '#111111' },
        terms: [...REWARD_TERMS],
      }),
      budget: lineChart(byId('chart-budget'), {
        xLabel: 'step',
        yLabel: 'budget',
        series: [{ label: 'remaining budget', color: PALETTE[1]!, digits: 0 }],
      }),
      noise: lineChart(byId('chart-noise'), {
        xLabel: 'step',
        yLabel: 'noise fraction',
        series: [
          { label: 'batch noise ratio', color: PALETTE[4]! },
          { label: 'pool noise estimate', color: PALETTE[5]!, dash: [6, 4] },
        ],
        yRange: [0, 1],
      }),
    };
    for (const [name, chart] of Object.entries(this.charts)) registerChart(name, chart);

    this.f.policy.append(el('option', 'manual (use the sliders)'));
    this.f.policy.options[0]!.value = 'manual';
    for (const p of POLICIES) {
      const o = el('option', p.name);
      o.value = p.id;
      this.f.policy.append(o);
    }
    this.f.policy.value = 'balanced';
    this.applyPolicy();

    // The form is never submitted: actions go over the WebSocket, and a stray Enter must not reload.
    byId<HTMLFormElement>('play-form').addEventListener('submit', (ev) => ev.preventDefault());
        this.f.policy.addEventListener('change', () => this.applyPolicy());
    for (const s of STRATEGIES) {
      this.sliders[s].input.addEventListener('input', () => {
        // Moving a slider means choosing the weights by hand.
        this.f.policy.value = 'manual';
        this.f.policyDesc.textContent = 'Your own weights from the sliders.';
        this.updateWeights();
      });
    }
    this.f.task.addEventListener('change', () => this.describeTask());
    this.f.seed.addEventListener('input', () => this.validate());
    this.f.batch.addEventListener('input', () => {
      this.validate();
      this.updateWeights();
    });
    this.f.reset.addEventListener('click', () => void this.guard(() => this.reset()));
    this.f.step.addEventListener('click', () => void this.guard(() => this.stepOnce(this.policyAction())));
    this.f.stop.addEventListener('click', () => void this.guard(() => this.stepOnce(this.stopAction())));
    this.f.run.addEventListener('click', () => {
      if (this.running) this.running = false;
      else void this.guard(() => this.runToEnd());
    });
    window.addEventListener('pagehide', () => this.socket.close());
    this.socket.onClose = (why) => {
      if (this.episode && !this.episode.done) {
        this.showError(`The server ended the session (${why}); the unfinished episode is gone. Start a new one.`);
        this.episode = null;
      }
    };
    this.renderObservation(null, null);
    this.updateButtons();
  }

  private tasks: Task[] = [];

  setTasks(tasks: Task[]): void {
    this.tasks = tasks;
    this.f.task.replaceChildren(
      ...tasks.map((t) => {
        const o = el('option', t.difficulty && t.difficulty !== t.task_id ? `${t.task_id} (${t.difficulty})` : t.task_id);
        o.value = t.task_id;
        return o;
      }),
    );
    this.describeTask();
    this.updateButtons();
  }

  private describeTask(): void {
    const t = this.tasks.find((x) => x.task_id === this.f.task.value);
    // The task text states every rule; its first sentence is the gist, the pass rule is what
    // people look for. The full text stays one hover away.
    const gist = t ? (t.description.match(/^[^.]*\./)?.[0] ?? t.description) : '';
    this.f.taskDesc.textContent = t ? `${gist} Pass: ${t.success_criteria}` : '';
    this.f.taskDesc.title = t?.description ?? '';
  }

  /**
   * The performance a task must beat to pass, read from its success criteria text (the server
   * generates that text from the grader's own rule, D6). Unknown wording → no line, not a guess.
   */
  private passLine(taskId: string): number | null {
    const t = this.tasks.find((x) => x.task_id === taskId);
    const m = t?.success_criteria.match(/current_performance\s*>\s*([0-9]*\.?[0-9]+)/);
    return m ? Number(m[1]) : null;
  }

  private applyPolicy(): void {
    const p = policyById(this.f.policy.value);
    if (!p) return;
    this.f.policyDesc.textContent = p.description;
    if (p.weights) for (const s of STRATEGIES) this.sliders[s].input.value = String(p.weights[s] ?? 0);
    this.updateWeights();
  }

  private weights(): Weights {
    const w: Weights = {};
    // Zero weights are left out: the environment reads a missing key as 0, and the stored action
    // then shows only what was asked for.
    for (const s of STRATEGIES) {
      const v = Number(this.sliders[s].input.value);
      if (v > 0) w[s] = v;
    }
    return w;
  }

  private updateWeights(): void {
    const w = this.weights();
    const total = Object.values(w).reduce((a, b) => a + b, 0);
    for (const s of STRATEGIES) this.sliders[s].out.value = Number(this.sliders[s].input.value).toFixed(2);
    const b = this.batchValue();
    this.f.weightsHint.textContent =
      total <= 0
        ? 'All weights are zero: raise at least one to select a batch.'
        : b === null
          ? ''
          : `A batch of ${b} splits ${splitText(b, w)}.`;
    this.updateButtons();
  }

  private seedValue(): number | null {
    const v = this.f.seed.value.trim();
    if (!/^[0-9]{1,10}$/.test(v) || Number(v) > 4294967295) return null;
    return Number(v);
  }

  private batchValue(): number | null {
    const v = this.f.batch.value.trim();
    return /^[0-9]{1,7}$/.test(v) && Number(v) >= 1 ? Number(v) : null;
  }

  private validate(): boolean {
    const seedOk = this.seedValue() !== null;
    const batchOk = this.batchValue() !== null;
    this.f.seed.setAttribute('aria-invalid', String(!seedOk));
    this.f.seedErr.hidden = seedOk;
    this.f.batch.setAttribute('aria-invalid', String(!batchOk));
    this.f.batchErr.hidden = batchOk;
    this.updateButtons();
    return seedOk && batchOk;
  }

  private policyAction(): Action {
    const p = policyById(this.f.policy.value);
    if (p && !p.weights) return this.stopAction();
    return { action_type: 'select_batch', batch_size: this.batchValue() ?? 10, strategy_weights: this.weights() };
  }

  private stopAction(): Action {
    // A stop still carries valid weights (PROTOCOL §2.2); they do not affect it.
    const w = this.weights();
    return { action_type: 'stop', batch_size: 0, strategy_weights: Object.keys(w).length ? w : { random: 1 } };
  }

  private updateButtons(): void {
    const inputsOk = this.seedValue() !== null && this.batchValue() !== null && this.tasks.length > 0;
    const p = policyById(this.f.policy.value);
    const canSelect = Object.keys(this.weights()).length > 0 || (p !== undefined && !p.weights);
    // `disabled` only for settings that make an action impossible. While a request is in flight
    // the buttons are merely aria-disabled (clicks are ignored by guard()): disabling the focused
    // button would drop keyboard focus to the page after every step.
    this.f.reset.disabled = !inputsOk;
    this.f.step.disabled = !inputsOk || !canSelect;
    this.f.stop.disabled = !inputsOk;
    this.f.run.disabled = !inputsOk || !canSelect;
    for (const b of [this.f.reset, this.f.step, this.f.stop]) b.setAttribute('aria-disabled', String(this.busy));
    // While running, the Run button pauses the run, so it stays available.
    this.f.run.setAttribute('aria-disabled', String(this.busy && !this.running));
    this.f.run.textContent = this.running ? 'Pause' : 'Run to end';
    this.f.run.setAttribute('aria-pressed', String(this.running));
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    if (this.busy || !this.validate()) return;
    this.busy = true;
    this.hideError();
    this.updateButtons();
    try {
      await fn();
    } catch (err) {
      const e = err as Error;
      this.showError(e instanceof ApiError ? `${e.message} (${e.reason})` : e.message);
    } finally {
      this.busy = false;
      this.running = false;
      this.updateButtons();
    }
  }

  showError(msg: string): void {
    this.f.error.textContent = msg;
    this.f.error.hidden = false;
  }

  private hideError(): void {
    this.f.error.hidden = true;
    this.f.error.textContent = '';
  }

  private say(msg: string): void {
    this.f.status.textContent = msg;
  }

  private label(): string {
    const name = this.f.runName.value.trim();
    return name || this.f.policy.value;
  }

  private async reset(): Promise<void> {
    const seed = this.seedValue()!;
    const task = this.f.task.value;
    // At most 64 characters (code points, as the server counts them).
    const label = Array.from(this.label()).slice(0, 64).join('');
    const r = await this.socket.reset({ task_id: task, seed, label });
    this.episode = { id: r.episode_id, taskId: r.task_id, seed, label, initial: r.observation, steps: [], done: false, grade: null };
    registry.liveEpisodeId = r.episode_id;
    this.f.grade.replaceChildren(el('p', 'Shown when the episode ends.', 'hint'));
    this.f.steps.tBodies[0]!.replaceChildren();
    this.render();
    this.say(`New episode ${shortId(r.episode_id)} on ${r.task_id}, seed ${seed}, label “${label}”. Budget ${r.observation.remaining_budget}.`);
  }

  private async stepOnce(action: Action): Promise<void> {
    if (!this.episode || this.episode.done) await this.reset();
    const ep = this.episode!;
    const r = await this.socket.step(action);
    this.record(ep, action, r);
    if (r.done) await this.finish(ep, r);
  }

  private async runToEnd(): Promise<void> {
    this.running = true;
    this.updateButtons();
    if (!this.episode || this.episode.done) await this.reset();
    while (this.running && this.episode && !this.episode.done) {
      await this.stepOnce(this.policyAction());
      // A pause per step (the Pace setting) lets people watch the curves grow; steps take ms.
      if (!this.episode?.done) await sleep(Number(this.f.pace.value) || 0);
    }
    if (this.episode && !this.episode.done) this.say(`Paused at step ${this.episode.steps.length}.`);
  }

  private record(ep: Episode, action: Action, r: ObservationReply): void {
    const s: LiveStep = {
      step: r.step,
      action,
      reward: r.reward,
      terms: r.info.terms ?? (action.action_type === 'stop' ? { stop_reward: r.reward } : {}),
      noiseRatio: r.info.noise_ratio ?? null,
      observation: r.observation,
      done: r.done,
    };
    ep.steps.push(s);
    ep.done = r.done;
    this.render();
    this.appendStepRow(s);
    const how = r.terminated ? 'terminated' : r.truncated ? 'truncated (step limit)' : '';
    this.say(
      `Step ${r.step}: reward ${signed(r.reward)}, performance ${num(r.observation.current_performance)}, budget ${r.observation.remaining_budget}` +
        (r.done ? `. Episode over (${how}); grading…` : '.'),
    );
  }

  private async finish(ep: Episode, r: ObservationReply): Promise<void> {
    // The stored record carries the grade (§4.14); /grader answers the same for any finished
    // episode and is the fallback should the listing lag behind.
    let g: Grade;
    try {
      g = (await getEpisode(ep.id)).grade;
    } catch {
      g = await postGrade(ep.id, r.task_id);
    }
    ep.grade = g;
    this.renderGrade(g);
    this.say(`Episode ${shortId(ep.id)} over after ${ep.steps.length} steps: score ${num(g.score)}, ${g.passed ? 'passed' : 'failed'}.`);
  }

  /**
   * Shows a finished episode from the store (Compare's "Watch" button) in the same charts and
   * tables. The store keeps no `info`, so each batch's noise ratio is recovered from consecutive
   * observations: the noisy rows that left the pool over the rows that left — exactly the
   * fraction the live reply reported.
   */
  showStored(rec: EpisodeRecord): void {
    if (this.busy) return;
    const steps: LiveStep[] = rec.steps.map((s, i) => {
      const prev = i === 0 ? rec.initial_observation : rec.steps[i - 1]!.observation;
      const taken = prev.samples_available - s.observation.samples_available;
      const noisy = Math.round(prev.noise_estimate * prev.samples_available - s.observation.noise_estimate * s.observation.samples_available);
      return {
        step: s.t,
        action: s.action,
        reward: s.reward,
        terms: s.terms,
        noiseRatio: s.info?.noise_ratio ?? (taken > 0 ? noisy / taken : null),
        observation: s.observation,
        done: s.done,
      };
    });
    this.episode = {
      id: rec.episode_id,
      taskId: rec.task_id,
      seed: rec.seed,
      label: rec.label ?? '',
      initial: rec.initial_observation,
      steps,
      done: true,
      grade: rec.grade,
    };
    registry.liveEpisodeId = rec.episode_id;
    // The form takes the episode's task and seed, so Run replays the same setting.
    this.f.task.value = rec.task_id;
    this.f.seed.value = String(rec.seed);
    this.describeTask();
    this.validate();
    this.hideError();
    this.f.steps.tBodies[0]!.replaceChildren();
    for (const s of steps) this.appendStepRow(s);
    this.render();
    this.renderGrade(rec.grade);
    this.say(
      `Viewing stored episode ${shortId(rec.episode_id)} (${rec.label ?? 'unlabelled'}, ${rec.task_id}, seed ${rec.seed}): ` +
        `${steps.length} steps, score ${num(rec.grade.score)}. Step or Run starts a new episode.`,
    );
  }

  /** Rebuilds chart data from the episode (cheap: at most a few dozen points). */
  private render(): void {
    const ep = this.episode;
    const n = ep ? ep.steps.length : 0;
    const obs: Observation[] = ep ? [ep.initial, ...ep.steps.map((s) => s.observation)] : [];
    const x0 = obs.map((_, i) => i);
    const line = ep ? this.passLine(ep.taskId) : null;
    this.charts.performance.setData([x0, obs.map((o) => o.current_performance), x0.map(() => line)]);
    this.charts.budget.setData([x0, obs.map((o) => o.remaining_budget)]);
    this.charts.noise.setData([
      x0,
      [null, ...(ep?.steps ?? []).map((s) => s.noiseRatio)],
      obs.map((o) => o.noise_estimate),
    ] as Series[]);
    const steps = ep?.steps ?? [];
    const x1 = steps.map((s) => s.step);
    this.charts.reward.setData([
      x1,
      steps.map((s) => s.reward),
      ...REWARD_TERMS.map((t) => steps.map((s) => (s.terms as Record<string, number | undefined>)[t.key] ?? null)),
    ]);
    const last = obs[n] ?? null;
    const prev = n > 0 ? obs[n - 1]! : null;
    this.renderObservation(last, prev);
  }

  private renderObservation(o: Observation | null, prev: Observation | null): void {
    const body = this.f.obs.tBodies[0]!;
    body.replaceChildren(
      ...OBS_FIELDS.map((f) => {
        const tr = el('tr');
        tr.append(el('th', f.label), el('td', o ? num(o[f.key], f.digits) : '–', 'num'));
        const d = o && prev ? o[f.key] - prev[f.key] : null;
        tr.append(el('td', d === null ? '' : signed(d, f.digits), 'num delta'));
        (tr.firstChild as HTMLElement).setAttribute('scope', 'row');
        return tr;
      }),
    );
  }

  private appendStepRow(s: LiveStep): void {
    const a = s.action;
    const act =
      a.action_type === 'stop'
        ? 'stop'
        : `select ${a.batch_size} · ${STRATEGIES.filter((k) => a.strategy_weights[k]).map((k) => `${k[0]} ${a.strategy_weights[k]}`).join(' ')}`;
    const tr = el('tr');
    tr.append(
      el('td', String(s.step), 'num'),
      el('td', act),
      el('td', signed(s.reward), 'num'),
      el('td', num(s.observation.current_performance), 'num'),
      el('td', String(s.observation.remaining_budget), 'num'),
      el('td', s.noiseRatio === null ? '–' : num(s.noiseRatio, 2), 'num'),
      el('td', num(s.observation.noise_estimate), 'num'),
      el('td', s.done ? 'yes' : ''),
    );
    this.f.steps.tBodies[0]!.append(tr);
  }

  private renderGrade(g: Grade): void {
    const head = el('p', undefined, 'grade-head');
    head.append(el('span', num(g.score), 'score'), passBadge(g.passed));
    const t = el('table', undefined, 'kv');
    const cap = el('caption', 'Grade breakdown');
    t.append(cap);
    const tb = el('tbody');
    for (const [k, v] of Object.entries(g.breakdown)) {
      const tr = el('tr');
      const th = el('th', k.replace(/_/g, ' '));
      th.setAttribute('scope', 'row');
      tr.append(th, el('td', num(v), 'num'));
      tb.append(tr);
    }
    t.append(tb);
    const task = this.tasks.find((x) => x.task_id === g.task_id);
    const crit = el('p', task ? `Pass rule: ${task.success_criteria}` : '', 'hint');
    this.f.grade.replaceChildren(head, t, crit);
    this.f.grade.dataset.score = String(g.score);
    this.f.grade.dataset.passed = String(g.passed);
  }
}
