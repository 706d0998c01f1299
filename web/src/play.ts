/**
 * Play & watch: drives one WebSocket episode from the form (manual weights or a built-in policy)
 * and renders every reply as it arrives — the charts, the observation table, the steps table —
 * then why the episode ended, its return and the grade once it is stored. The weight sliders are
 * the strategies the chosen task declares (/tasks: the classic three, or the library). Curation
 * and data-set tasks get their own signals: validation accuracy, a per-strategy signal of each
 * batch (the curation family's calibration gap, the data-set family's surplus disagreement), the
 * disagreement-based noise estimate, and the regime in the grade.
 */
import { ApiError, EnvSocket, getEpisode, grade as postGrade } from './api.ts';
import { lineChart, stackedChart, PALETTE, type Chart, type LineSpec, type Series, type StackTerm } from './charts.ts';
import { byId, byIds, cell, count, el, num, passBadge, plural, shortId, signed, signedCount } from './format.ts';
import { BALANCED_ACTION, effectiveBatch, splitBatch } from '../../src/env/actions.ts';
import { CLASSIC_STRATEGIES } from '../../src/env/strategies/names.ts';
import { BUILTIN_POLICIES, type BuiltinPolicy } from '../../src/policies/builtin.ts';
import { registerChart, registry } from './registry.ts';
import { breakdownLabel, breakdownValue, END_WORDS, endText, episodeEnd, taskLimits, totalReturn, type EpisodeEnd } from './summary.ts';
import type { Action, EpisodeRecord, Grade, Observation, ObservationReply, Task, Terms, Weights } from './types.ts';

/** The signed summands of a classic selection reward, plus a stop's single term. */
export const REWARD_TERMS = [
  { key: 'gain', label: 'gain', color: PALETTE[2]! },
  { key: 'budget_cost', label: 'budget cost', color: PALETTE[1]! },
  { key: 'redundancy_penalty', label: 'redundancy', color: PALETTE[3]! },
  { key: 'noise_penalty', label: 'noise', color: PALETTE[4]! },
  { key: 'step_bonus', label: 'step bonus', color: PALETTE[5]! },
  { key: 'stop_reward', label: 'stop reward', color: PALETTE[0]! },
] as const;

/** A curation or data-set selection's reward is one term (10 · Δ performance); a stop's is its stop reward (0). */
export const CURATION_REWARD_TERMS = [
  { key: 'validation_gain', label: 'validation gain', color: PALETTE[2]! },
  { key: 'stop_reward', label: 'stop reward', color: PALETTE[0]! },
] as const;

function rewardTerms(family: Family): readonly StackTerm[] {
  return family === 'classic' ? REWARD_TERMS : CURATION_REWARD_TERMS;
}

interface LiveStep {
  step: number;
  action: Action;
  reward: number;
  terms: Terms;
  /** Classic tasks: the share of noisy rows in the batch (from hidden truth; the other families have none). */
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

type Family = 'classic' | 'curation' | 'dataset';

/** A task's family as /tasks lists it; else told apart by the observation's own keys. */
function familyOf(o: Observation | null | undefined, listed?: string): Family {
  if (listed === 'classic' || listed === 'curation' || listed === 'dataset') return listed;
  if (o && 'n_classes' in o) return 'dataset';
  return o && 'last_batch' in o ? 'curation' : 'classic';
}

/** `label_mean − pred_mean` of a strategy's picks (curation): positive = the annotator says 1 more often than the model predicts. */
export function calibrationGap(o: Observation, s: string): number | null {
  const lb = o.last_batch;
  if (!lb || 'strategies' in lb) return null;
  const b = (lb as Record<string, { label_mean?: number; pred_mean?: number } | null | undefined>)[s];
  return b && typeof b.label_mean === 'number' && typeof b.pred_mean === 'number' ? b.label_mean - b.pred_mean : null;
}

/** `disagree − expected` of a strategy's picks (data-set tasks): label disagreement beyond what a calibrated model expects. */
export function surplusDisagreement(o: Observation, s: string): number | null {
  const lb = o.last_batch;
  const b = lb && 'strategies' in lb ? lb.strategies[s] : undefined;
  return b ? b.disagree - b.expected : null;
}

/** The family's per-strategy signal of the latest batch (none on the classic tasks). */
function batchSignal(family: Family, o: Observation, s: string): number | null {
  return family === 'dataset' ? surplusDisagreement(o, s) : family === 'curation' ? calibrationGap(o, s) : null;
}

/** Display names of strategies: the name spelt out, acronyms kept. */
export function strategyLabel(s: string): string {
  if (s === 'badge') return 'BADGE';
  const t = s.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

interface ObsField {
  label: string;
  value: (o: Observation) => number | string | null | undefined;
  kind: 'real' | 'count' | 'text';
}

/** Every observation field the panel shows, once; each family lists the ones it has. */
const FIELD = {
  performance: { label: 'Validation performance', value: (o) => o.current_performance, kind: 'real' },
  accuracy: { label: 'Validation accuracy', value: (o) => o.validation_accuracy, kind: 'real' },
  budget: { label: 'Remaining budget', value: (o) => o.remaining_budget, kind: 'count' },
  stepsLeft: { label: 'Steps left', value: (o) => o.steps_left, kind: 'count' },
  labelled: { label: 'Labelled rows', value: (o) => o.labelled, kind: 'count' },
  classes: { label: 'Classes (K)', value: (o) => o.n_classes, kind: 'count' },
  classCounts: { label: 'Labelled per class', value: (o) => o.class_counts?.join(' / '), kind: 'text' },
  pool: { label: 'Pool size', value: (o) => o.samples_available, kind: 'count' },
  poolNoise: { label: 'Pool noise estimate', value: (o) => o.noise_estimate, kind: 'real' },
  noise: { label: 'Noise estimate (surplus disagreement)', value: (o) => o.noise_estimate, kind: 'real' },
  poolUncertainty: { label: 'Pool uncertainty', value: (o) => o.pool_uncertainty, kind: 'real' },
  diversity: { label: 'Diversity score', value: (o) => o.diversity_score, kind: 'real' },
} satisfies Record<string, ObsField>;

const FAMILY_FIELDS: Readonly<Record<Family, readonly ObsField[]>> = {
  classic: [FIELD.performance, FIELD.budget, FIELD.pool, FIELD.poolNoise, FIELD.diversity],
  curation: [FIELD.performance, FIELD.accuracy, FIELD.budget, FIELD.stepsLeft, FIELD.labelled, FIELD.pool, FIELD.noise, FIELD.poolUncertainty, FIELD.diversity],
  dataset: [FIELD.performance, FIELD.accuracy, FIELD.budget, FIELD.stepsLeft, FIELD.labelled, FIELD.classes, FIELD.classCounts, FIELD.pool, FIELD.noise, FIELD.poolUncertainty, FIELD.diversity],
};

/** How each family names its per-strategy batch signal (observation table, steps table, chart). */
const SIGNAL_NAME: Readonly<Record<Family, { field: string; column: string; caption: string; axis: string }>> = {
  classic: { field: '', column: '', caption: '', axis: '' },
  curation: { field: 'Last batch gap', column: 'Gap', caption: 'Calibration gap of each batch: label mean − predicted mean, per strategy', axis: 'label − predicted' },
  dataset: {
    field: 'Last batch surplus disagreement',
    column: 'Surplus',
    caption: 'Surplus disagreement of each batch, per strategy: labels ≠ predicted class beyond what calibration expects',
    axis: 'disagree − expected',
  },
};

interface Column {
  name: string;
  num?: boolean;
  value: (s: LiveStep, end: EpisodeEnd | null) => string;
}

/** An action in a few characters: the classic three by their initial (as the agent's transcript writes them), library strategies by name. */
function actionText(a: Action): string {
  if (a.action_type === 'stop') return 'stop';
  const w = Object.entries(a.strategy_weights)
    .filter(([, v]) => v)
    .map(([k, v]) => `${(CLASSIC_STRATEGIES as readonly string[]).includes(k) ? k[0] : k} ${v}`);
  return `select ${a.batch_size} · ${w.join(' ')}`;
}

const COLUMN = {
  step: { name: 'Step', num: true, value: (s) => String(s.step) },
  action: { name: 'Action', value: (s) => actionText(s.action) },
  reward: { name: 'Reward', num: true, value: (s) => signed(s.reward) },
  performance: { name: 'Performance', num: true, value: (s) => num(s.observation.current_performance) },
  accuracy: { name: 'Val. accuracy', num: true, value: (s) => num(s.observation.validation_accuracy) },
  budget: { name: 'Budget left', num: true, value: (s) => count(s.observation.remaining_budget) },
  batchNoise: { name: 'Batch noise', num: true, value: (s) => num(s.noiseRatio) },
  poolNoise: { name: 'Pool noise', num: true, value: (s) => num(s.observation.noise_estimate) },
  noise: { name: 'Noise est.', num: true, value: (s) => num(s.observation.noise_estimate) },
  end: { name: 'End', value: (_s, end) => (end ? END_WORDS[end.reason] : '') },
} satisfies Record<string, Column>;

/** The steps table's columns: the family's own, and one per strategy that bought rows in the episode. */
function stepColumns(family: Family, strategies: readonly string[]): Column[] {
  const head = [COLUMN.step, COLUMN.action, COLUMN.reward, COLUMN.performance];
  if (family === 'classic') return [...head, COLUMN.budget, COLUMN.batchNoise, COLUMN.poolNoise, COLUMN.end];
  const perStrategy = strategies.map(
    (k): Column => ({ name: `${SIGNAL_NAME[family].column} ${k}`, num: true, value: (s) => (s.action.action_type === 'stop' ? '' : signed(batchSignal(family, s.observation, k))) }),
  );
  return [...head, COLUMN.accuracy, COLUMN.budget, COLUMN.noise, ...perStrategy, COLUMN.end];
}

/** Colours of the per-strategy series: the classic three keep theirs; the library takes the rest of the palette. */
function strategyColor(s: string, i: number): string {
  const fixed: Record<string, string> = { uncertainty: PALETTE[0]!, diversity: PALETTE[2]!, random: PALETTE[1]! };
  return fixed[s] ?? [PALETTE[3]!, PALETTE[4]!, PALETTE[5]!, PALETTE[6]!, PALETTE[7]!, '#8c564b', '#7f7f7f'][i % 7]!;
}

/**
 * The strategies whose batch signal the episode has: the curation family always reports the
 * classic three (null when one bought nothing) and a library strategy once it was weighted; the
 * data-set family the strategies that bought rows. In `order` (the task's list).
 */
function signalStrategies(family: Family, obs: readonly Observation[], order: readonly string[]): string[] {
  if (family === 'classic') return [];
  const seen = new Set<string>(family === 'curation' ? CLASSIC_STRATEGIES : []);
  for (const o of obs) {
    const lb = o.last_batch;
    if (!lb) continue;
    for (const k of Object.keys('strategies' in lb ? lb.strategies : lb)) if (k !== 'total') seen.add(k);
  }
  return [...order.filter((s) => seen.has(s)), ...[...seen].filter((s) => !order.includes(s))];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class PlayPanel {
  private readonly socket = new EnvSocket();
  private episode: Episode | null = null;
  private busy = false;
  private running = false;
  private family: Family = 'classic';
  private readonly charts: Record<'performance' | 'reward' | 'budget' | 'noise' | 'calibration', Chart>;

  private readonly f = byIds('', {
    select: ['task', 'policy', 'pace'],
    input: ['seed', 'run-name', 'batch'],
    button: ['btn-reset', 'btn-step', 'btn-stop', 'btn-run'],
    table: ['obs-table', 'steps-table'],
    other: ['task-desc', 'seed-err', 'policy-desc', 'batch-err', 'weights-hint', 'weights-group', 'weights-sliders', 'batch-field', 'status', 'error'],
  });
  private readonly v = byIds('', {
    other: ['empty-state', 'empty-text', 'charts', 'cap-performance', 'cap-noise', 'cap-calibration', 'card-calibration', 'obs-empty', 'steps-empty', 'grade'],
  });
  /** One slider per strategy of the chosen task (its /tasks `strategies`), in that order. */
  private sliders = new Map<string, { input: HTMLInputElement; out: HTMLOutputElement }>();
  /** Every weight set so far, by strategy: a task switch keeps what the other task's sliders had. */
  private readonly weightMemo = new Map<string, number>(Object.entries(BALANCED_ACTION.strategy_weights) as [string, number][]);
  /** The strategies the calibration chart plots now (its series are rebuilt when they change); null: none built yet. */
  private signalKeys: string | null = null;

  constructor() {
    const xMax = () => this.maxSteps();
    this.charts = {
      performance: lineChart(byId('chart-performance'), {
        xLabel: 'step',
        yLabel: 'performance',
        series: this.performanceSeries('classic'),
        xMax,
      }),
      reward: stackedChart(byId('chart-reward'), {
        xLabel: 'step',
        yLabel: 'reward',
        total: { label: 'reward', color: '#111111' },
        terms: [...REWARD_TERMS],
        xMax,
      }),
      budget: lineChart(byId('chart-budget'), {
        xLabel: 'step',
        yLabel: 'budget',
        series: [{ label: 'remaining budget', color: PALETTE[1]!, digits: 0 }],
        xMax,
      }),
      noise: lineChart(byId('chart-noise'), {
        xLabel: 'step',
        yLabel: 'noise fraction',
        series: this.noiseSeries('classic'),
        yRange: [0, 1],
        xMax,
      }),
      calibration: lineChart(byId('chart-calibration'), {
        xLabel: 'step',
        yLabel: SIGNAL_NAME.curation.axis,
        series: [],
        yRange: [-0.5, 0.5],
        xMax,
      }),
    };
    for (const [name, chart] of Object.entries(this.charts)) registerChart(name, chart);

    this.buildSliders(CLASSIC_STRATEGIES);
    this.fillPolicies();
    this.f.policy.value = 'balanced';
    this.applyPolicy();

    // The form is never submitted: actions go over the WebSocket, and a stray Enter must not reload.
    byId<HTMLFormElement>('play-form').addEventListener('submit', (ev) => ev.preventDefault());
    this.f.policy.addEventListener('change', () => this.applyPolicy());
    this.f.task.addEventListener('change', () => {
      this.describeTask();
      this.buildSliders(this.taskStrategies());
      this.updateWeights();
    });
    this.f.seed.addEventListener('input', () => this.validate());
    this.f.batch.addEventListener('input', () => {
      this.validate();
      this.updateWeights();
    });
    this.f.btnReset.addEventListener('click', () => void this.guard(() => this.reset()));
    this.f.btnStep.addEventListener('click', () => void this.guard(() => this.stepOnce(() => this.policyAction())));
    this.f.btnStop.addEventListener('click', () => void this.guard(() => this.stepOnce(() => this.stopAction())));
    this.f.btnRun.addEventListener('click', () => {
      if (this.running) this.running = false;
      else void this.guard(() => this.runToEnd());
    });
    window.addEventListener('pagehide', () => this.socket.close());
    this.socket.onClose = (why) => {
      if (this.episode && !this.episode.done) {
        this.showError(`The server ended the session (${why}); the unfinished episode is gone. Start a new one.`);
        this.episode = null;
        this.render();
      }
    };
    this.render();
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
    this.buildSliders(this.taskStrategies());
    this.updateWeights();
  }

  /** The strategies the chosen task's actions may weight (/tasks); the classic three when unknown. */
  private taskStrategies(): readonly string[] {
    const listed = this.task(this.f.task.value)?.strategies;
    return listed && listed.length ? listed : CLASSIC_STRATEGIES;
  }

  /**
   * One slider per strategy, built when the task's list differs from the one shown (ids
   * `w-NAME`, `w-NAME-out`). Each starts at the weight last set for that strategy (0 if none).
   */
  private buildSliders(strategies: readonly string[]): void {
    if ([...this.sliders.keys()].join() === strategies.join()) return;
    this.sliders = new Map();
    const rows = strategies.map((s) => {
      const row = el('div', undefined, 'slider');
      const label = el('label', strategyLabel(s));
      label.htmlFor = `w-${s}`;
      const input = el('input');
      Object.assign(input, { id: `w-${s}`, type: 'range', min: '0', max: '1', step: '0.05' });
      input.value = String(this.weightMemo.get(s) ?? 0);
      const out = el('output');
      out.id = `w-${s}-out`;
      out.htmlFor.add(input.id);
      input.addEventListener('input', () => {
        // Moving a slider means choosing the weights by hand.
        this.weightMemo.set(s, Number(input.value));
        this.f.policy.value = 'manual';
        this.f.policyDesc.textContent = 'Your own weights from the sliders.';
        this.updateWeights();
      });
      row.append(label, input, out);
      this.sliders.set(s, { input, out });
      return row;
    });
    this.f.weightsSliders.replaceChildren(...rows);
  }

  /** Manual weights, then the built-in policies of src/policies/builtin.ts (each runs on every task family). */
  private fillPolicies(): void {
    const manual = el('option', 'manual (use the sliders)');
    manual.value = 'manual';
    this.f.policy.replaceChildren(
      manual,
      ...Object.keys(BUILTIN_POLICIES).map((name) => {
        const o = el('option', name);
        o.value = name;
        return o;
      }),
    );
  }

  /** The built-in policy chosen in the form; undefined = manual weights. */
  private builtin(): BuiltinPolicy | undefined {
    return Object.hasOwn(BUILTIN_POLICIES, this.f.policy.value) ? BUILTIN_POLICIES[this.f.policy.value] : undefined;
  }

  private describeTask(): void {
    const t = this.task(this.f.task.value);
    // The task text states every rule; its first sentence is the gist, the pass rule is what
    // people look for. The full text stays one hover away.
    const gist = t ? (t.description.match(/^[^.]*\./)?.[0] ?? t.description) : '';
    this.f.taskDesc.textContent = t ? `${gist} Pass: ${t.success_criteria}` : '';
    this.f.taskDesc.title = t?.description ?? '';
  }

  private task(id: string | undefined): Task | undefined {
    return this.tasks.find((x) => x.task_id === id);
  }

  /** The step limit of the episode on screen (or of the chosen task before one starts). */
  private maxSteps(): number | null {
    const ep = this.episode;
    const fromObs = ep && typeof ep.initial.steps_left === 'number' ? (ep.initial.step ?? 0) + ep.initial.steps_left : null;
    return fromObs ?? taskLimits(this.task(ep?.taskId ?? this.f.task.value)).maxSteps;
  }

  /**
   * The performance a task must beat to pass, read from its success criteria text (the server
   * generates that text from the grader's own rule, D6). Unknown wording → no line, not a guess.
   */
  private passLine(taskId: string): number | null {
    const m = this.task(taskId)?.success_criteria.match(/current_performance\s*>\s*([0-9]*\.?[0-9]+)/);
    return m ? Number(m[1]) : null;
  }

  /** A fixed built-in puts its action into the form (sliders and batch); the others decide per step. */
  private applyPolicy(): void {
    const p = this.builtin();
    if (!p) return;
    this.f.policyDesc.textContent = p.description;
    const a = p.action;
    if (a && a.action_type === 'select_batch') {
      // The action's weights, every other strategy at 0 (on this task and any other).
      for (const k of this.weightMemo.keys()) this.weightMemo.set(k, 0);
      for (const [k, v] of Object.entries(a.strategy_weights)) this.weightMemo.set(k, v ?? 0);
      for (const [k, sl] of this.sliders) sl.input.value = String(this.weightMemo.get(k) ?? 0);
      this.f.batch.value = String(a.batch_size);
    }
    this.updateWeights();
  }

  private weights(): Weights {
    const w: Weights = {};
    // Zero weights are left out: the environment reads a missing key as 0, and the stored action
    // then shows only what was asked for.
    for (const [k, sl] of this.sliders) {
      const v = Number(sl.input.value);
      if (v > 0) (w as Record<string, number>)[k] = v;
    }
    return w;
  }

  private updateWeights(): void {
    for (const sl of this.sliders.values()) sl.out.value = Number(sl.input.value).toFixed(2);
    // A policy that decides its own actions does not read the sliders or the batch: dim them
    // (still operable: touching one switches to manual).
    const p = this.builtin();
    const unused = p !== undefined && (!p.action || p.action.action_type === 'stop');
    this.f.weightsGroup.classList.toggle('unused', unused);
    this.f.batchField.classList.toggle('unused', unused);
    this.f.weightsHint.textContent = this.splitHint();
    this.updateButtons();
  }

  /**
   * What the next selection with the form's settings buys: the environment's own rules
   * (src/env/actions.ts) — the batch raised to the task's minimum or cut to the budget and pool
   * left, then split by the task family's rule. Shown so people see why 0.4/0.4/0.2 of 10 is
   * 3/3/4 on a classic task and 4/4/2 on a curation task.
   */
  private splitHint(): string {
    const p = this.builtin();
    if (p && !p.action) return 'This policy chooses every action from the observation; the Steps table shows what it played.';
    if (p?.action?.action_type === 'stop') return 'This policy stops at the first step: no batch is bought.';
    const w = this.weights();
    if (Object.values(w).reduce((a, b) => a + b, 0) <= 0) return 'All weights are zero: raise at least one to select a batch.';
    const b = this.batchValue();
    const t = this.task(this.f.task.value);
    if (b === null || !t) return '';
    const ep = this.continues() ? this.episode! : null;
    const now = ep ? (ep.steps.at(-1)?.observation ?? ep.initial) : null;
    const eff = effectiveBatch(b, { minBatch: t.min_batch, budget: now?.remaining_budget ?? t.budget, pool: now?.samples_available ?? Infinity });
    const split: Partial<Record<string, number>> | null = splitBatch(t.family, eff, w);
    if (!split) return '';
    const shown = [...this.sliders.keys()].filter((s) => t.family === 'classic' || (split[s] ?? 0) > 0 || (w as Record<string, number>)[s]! > 0);
    const parts = shown.map((s) => `${split[s] ?? 0} ${s}`).join(' / ');
    if (eff === b) return `A batch of ${b} splits ${parts}.`;
    if (eff > b) return `A batch of ${b} is raised to the task's minimum of ${eff}, split ${parts}.`;
    return `A batch of ${b} is cut to the ${eff} rows the budget and pool allow, split ${parts}.`;
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

  /**
   * The next action: the form's weights and batch, or the chosen built-in policy's. A built-in is
   * played exactly as `eval` plays it: a fresh instance fed the episode's observations in order
   * (step 0 first), so a stateful policy such as `adaptive` has seen every step — also steps
   * played by hand or by another policy before it was chosen — and its last answer is the action.
   */
  private async policyAction(): Promise<Action> {
    const p = this.builtin();
    const ep = this.episode;
    if (!p || !ep) return { action_type: 'select_batch', batch_size: this.batchValue() ?? 10, strategy_weights: this.weights() };
    const policy = p.create();
    const seen = [ep.initial, ...ep.steps.map((s) => s.observation)];
    let action: Action | null = null;
    for (let i = 0; i < seen.length; i++) action = await policy(seen[i]!, { task_id: ep.taskId, seed: ep.seed, step: i });
    return action!;
  }

  private stopAction(): Action {
    // A stop still carries valid weights (docs/protocol.md §2.2); they do not affect it.
    const w = this.weights();
    return { action_type: 'stop', batch_size: 0, strategy_weights: Object.keys(w).length ? w : { random: 1 } };
  }

  private updateButtons(): void {
    const inputsOk = this.seedValue() !== null && this.batchValue() !== null && this.tasks.length > 0;
    const canSelect = Object.keys(this.weights()).length > 0 || this.builtin() !== undefined;
    // `disabled` only for settings that make an action impossible. While a request is in flight
    // the buttons are merely aria-disabled (clicks are ignored by guard()): disabling the focused
    // button would drop keyboard focus to the page after every step.
    this.f.btnReset.disabled = !inputsOk;
    this.f.btnStep.disabled = !inputsOk || !canSelect;
    this.f.btnStop.disabled = !inputsOk;
    this.f.btnRun.disabled = !inputsOk || !canSelect;
    for (const b of [this.f.btnReset, this.f.btnStep, this.f.btnStop]) b.setAttribute('aria-disabled', String(this.busy));
    // While running, the Run button pauses the run, so it stays available.
    this.f.btnRun.setAttribute('aria-disabled', String(this.busy && !this.running));
    this.f.btnRun.textContent = this.running ? 'Pause' : 'Run to end';
    this.f.btnRun.setAttribute('aria-pressed', String(this.running));
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

  /** The panel's one status line (announced politely); nothing else repeats it. */
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
    this.render();
    const max = this.maxSteps();
    this.say(
      `New episode ${shortId(r.episode_id)} on ${r.task_id}, seed ${seed}, label “${label}”: budget ${count(r.observation.remaining_budget)}` +
        (max ? `, at most ${plural(max, 'step')}.` : '.'),
    );
  }

  /** Whether the next Step/Stop/Run plays on: an unfinished episode of the task and seed in the form. */
  private continues(): boolean {
    const ep = this.episode;
    return ep !== null && !ep.done && ep.taskId === this.f.task.value && ep.seed === this.seedValue();
  }

  /** One step; the action is made after any reset, so an adaptive policy sees the episode it acts in. */
  private async stepOnce(makeAction: () => Action | Promise<Action>): Promise<void> {
    if (!this.continues()) await this.reset();
    const ep = this.episode!;
    const action = await makeAction();
    const r = await this.socket.step(action);
    this.record(ep, action, r);
    if (r.done) await this.finish(ep, r);
  }

  private async runToEnd(): Promise<void> {
    this.running = true;
    this.updateButtons();
    if (!this.continues()) await this.reset();
    while (this.running && this.episode && !this.episode.done) {
      await this.stepOnce(() => this.policyAction());
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
      terms: r.info.terms ?? this.singleTerm(action, r),
      noiseRatio: r.info.noise_ratio ?? null,
      observation: r.observation,
      done: r.done,
    };
    ep.steps.push(s);
    ep.done = r.done;
    this.render();
    this.say(
      `Step ${r.step}: reward ${signed(r.reward)}, performance ${num(r.observation.current_performance)}, budget ${count(r.observation.remaining_budget)}` +
        (r.done ? '. The episode is over; grading…' : '.'),
    );
  }

  /**
   * The terms of a reply whose info carries none: a stop's reward is its stop reward, and a
   * curation selection's reward is its one term, validation_gain (as the stored episode records them).
   */
  private singleTerm(action: Action, r: ObservationReply): Terms {
    if (action.action_type === 'stop') return { stop_reward: r.reward };
    return familyOf(r.observation) === 'curation' ? { validation_gain: r.reward } : {};
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
    this.renderResult(ep);
    const end = this.endOf(ep)!;
    this.say(
      `Episode ${shortId(ep.id)} over: ${END_WORDS[end.reason]} after ${plural(ep.steps.length, 'step')}; ` +
        `return ${signed(totalReturn(ep.steps.map((s) => s.reward)))}, score ${num(g.score)}, ${g.passed ? 'passed' : 'failed'}.`,
    );
  }

  private endOf(ep: Episode): EpisodeEnd | null {
    const last = ep.steps.at(-1);
    if (!ep.done || !last) return null;
    return episodeEnd({ action_type: last.action.action_type, ...last.observation });
  }

  /**
   * Shows a finished episode from the store (Compare's "Watch" button) in the same charts and
   * tables. The store keeps no `info`, so each classic batch's noise ratio is recovered from
   * consecutive observations: the noisy rows that left the pool over the rows that left — exactly
   * the fraction the live reply reported. (The curation family has no such ratio: its noise
   * estimate is not computed from hidden truth.)
   */
  showStored(rec: EpisodeRecord): void {
    if (this.busy) return;
    const curation = familyOf(rec.initial_observation, this.task(rec.task_id)?.family) !== 'classic';
    const steps: LiveStep[] = rec.steps.map((s, i) => {
      const prev = i === 0 ? rec.initial_observation : rec.steps[i - 1]!.observation;
      const taken = prev.samples_available - s.observation.samples_available;
      const noisy = Math.round(prev.noise_estimate * prev.samples_available - s.observation.noise_estimate * s.observation.samples_available);
      return {
        step: s.t,
        action: s.action,
        reward: s.reward,
        terms: s.terms ?? {},
        noiseRatio: !curation && taken > 0 ? noisy / taken : null,
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
    this.render();
    this.renderResult(this.episode);
    this.say(
      `Viewing stored episode ${shortId(rec.episode_id)} (${rec.label ?? 'unlabelled'}, ${rec.task_id}, seed ${rec.seed}). ` +
        'Step or Run starts a new episode.',
    );
  }

  private performanceSeries(family: Family): LineSpec[] {
    return family !== 'classic'
      ? [
          { label: 'performance', color: PALETTE[0]! },
          { label: 'validation accuracy', color: PALETTE[2]! },
        ]
      : [
          { label: 'performance', color: PALETTE[0]! },
          { label: 'pass line', color: '#6e7781', dash: [4, 4], points: false },
        ];
  }

  private noiseSeries(family: Family): LineSpec[] {
    return family !== 'classic'
      ? [
          { label: 'noise estimate', color: PALETTE[4]! },
          { label: 'pool uncertainty', color: PALETTE[5]!, dash: [6, 4] },
        ]
      : [
          { label: 'batch noise ratio', color: PALETTE[4]! },
          { label: 'pool noise estimate', color: PALETTE[5]!, dash: [6, 4] },
        ];
  }

  /** Switches charts, captions and table columns between the families' signals. */
  private setFamily(family: Family): void {
    if (family === this.family) return;
    this.family = family;
    const empty = (specs: LineSpec[]) => [[], ...specs.map(() => [])] as Series[];
    const perf = this.performanceSeries(family);
    const noise = this.noiseSeries(family);
    this.charts.performance.setSeries(perf, empty(perf));
    this.charts.noise.setSeries(noise, empty(noise), family !== 'classic' ? 'estimate' : 'noise fraction');
    const terms = rewardTerms(family);
    this.charts.reward.setSeries(terms.map((t) => ({ label: t.label, color: t.color })), [[], [], ...terms.map(() => [])]);
    this.v.capPerformance.textContent = family !== 'classic' ? 'Validation performance and accuracy' : 'Validation performance';
    this.v.capNoise.textContent = family !== 'classic' ? 'Noise estimate and pool uncertainty' : 'Noise: selected batch vs. pool';
    this.v.capCalibration.textContent = SIGNAL_NAME[family].caption;
    this.v.cardCalibration.hidden = family === 'classic';
    this.signalKeys = null;
  }

  /** The strategies whose batch signal the episode on screen has (table columns, chart series). */
  private signalStrategies(): string[] {
    const ep = this.episode;
    if (!ep) return [];
    const order = this.task(ep.taskId)?.strategies ?? CLASSIC_STRATEGIES;
    return signalStrategies(this.family, [ep.initial, ...ep.steps.map((s) => s.observation)], order);
  }

  /** Rebuilds every view of the episode from its data (cheap: at most a few dozen steps). */
  private render(): void {
    const ep = this.episode;
    this.setFamily(familyOf(ep?.initial, ep ? this.task(ep.taskId)?.family : undefined));
    const steps = ep?.steps ?? [];
    const n = steps.length;
    // Empty states: nothing to plot before the first step, so no empty charts either.
    this.v.charts.hidden = n === 0;
    this.v.emptyState.hidden = n > 0;
    // The status line says which episode is on screen; this card only says what to do next, and
    // its hint why there are no charts (each sentence once).
    this.v.emptyText.textContent = ep
      ? 'Press Step for one step or Run to end.'
      : 'Choose a task and a policy, then press Step for one step or Run to end.';

    const obs: Observation[] = ep ? [ep.initial, ...steps.map((s) => s.observation)] : [];
    const x0 = obs.map((_, i) => i);
    if (this.family !== 'classic') {
      const family = this.family;
      this.charts.performance.setData([x0, obs.map((o) => o.current_performance), obs.map((o) => o.validation_accuracy ?? null)]);
      this.charts.noise.setData([x0, obs.map((o) => o.noise_estimate), obs.map((o) => o.pool_uncertainty ?? null)]);
      // A batch's signal belongs to the batch bought at that step; a stop buys nothing (and repeats last_batch).
      const keys = this.signalStrategies();
      const signal = (k: string) => [null, ...steps.map((s) => (s.action.action_type === 'stop' ? null : batchSignal(family, s.observation, k)))];
      const data = [x0, ...keys.map(signal), x0.map(() => 0)] as Series[];
      if (keys.join() !== this.signalKeys) {
        this.signalKeys = keys.join();
        const specs: LineSpec[] = [...keys.map((k, i) => ({ label: k, color: strategyColor(k, i) })), { label: 'zero', color: '#6e7781', dash: [4, 4], points: false }];
        this.charts.calibration.setSeries(specs, data, SIGNAL_NAME[family].axis);
      } else this.charts.calibration.setData(data);
    } else {
      const line = ep ? this.passLine(ep.taskId) : null;
      this.charts.performance.setData([x0, obs.map((o) => o.current_performance), x0.map(() => line)]);
      this.charts.noise.setData([x0, [null, ...steps.map((s) => s.noiseRatio)], obs.map((o) => o.noise_estimate)] as Series[]);
    }
    this.charts.budget.setData([x0, obs.map((o) => o.remaining_budget)]);
    const x1 = steps.map((s) => s.step);
    this.charts.reward.setData([
      x1,
      steps.map((s) => s.reward),
      ...rewardTerms(this.family).map((t) => steps.map((s) => (s.terms as Record<string, number | undefined>)[t.key] ?? null)),
    ]);
    this.renderObservation(obs[n] ?? null, n > 0 ? obs[n - 1]! : null);
    this.renderSteps();
    if (!ep?.done) this.v.grade.replaceChildren(el('p', 'Shown when the episode ends: why it ended, its return and its grade.', 'hint'));
  }

  private renderObservation(o: Observation | null, prev: Observation | null): void {
    this.f.obsTable.hidden = o === null;
    this.v.obsEmpty.hidden = o !== null;
    const family = this.family;
    const fields: readonly ObsField[] = [
      ...FAMILY_FIELDS[family],
      ...this.signalStrategies().map((k): ObsField => ({ label: `${SIGNAL_NAME[family].field}, ${k}`, value: (q) => batchSignal(family, q, k), kind: 'real' })),
    ];
    this.f.obsTable.tBodies[0]!.replaceChildren(
      ...(o === null
        ? []
        : fields.map((f) => {
            const tr = el('tr');
            const th = el('th', f.label);
            th.setAttribute('scope', 'row');
            const v = f.value(o);
            const p = prev ? f.value(prev) : null;
            const d = typeof v === 'number' && typeof p === 'number' ? v - p : null;
            const text = f.kind === 'text' ? String(v ?? '–') : f.kind === 'count' ? count(v as number) : num(v as number);
            tr.append(
              th,
              el('td', text, f.kind === 'text' ? 'num nowrap' : 'num'),
              el('td', d === null ? '' : f.kind === 'count' ? signedCount(d) : signed(d), 'num delta'),
            );
            return tr;
          })),
    );
  }

  private renderSteps(): void {
    const ep = this.episode;
    const steps = ep?.steps ?? [];
    const columns = stepColumns(this.family, this.signalStrategies());
    const head = this.f.stepsTable.tHead!.rows[0]!;
    const names = columns.map((c) => c.name).join('|');
    if (head.dataset.columns !== names) {
      head.dataset.columns = names;
      head.replaceChildren(
        ...columns.map((c) => {
          const th = el('th', c.name, c.num ? 'num' : undefined);
          th.setAttribute('scope', 'col');
          return th;
        }),
      );
    }
    const end = ep ? this.endOf(ep) : null;
    this.f.stepsTable.tBodies[0]!.replaceChildren(
      ...steps.map((s, i) => {
        const tr = el('tr');
        const rowEnd = i === steps.length - 1 ? end : null;
        tr.append(...columns.map((c) => cell(c.value(s, rowEnd), c.name, c.num ? 'num' : undefined)));
        return tr;
      }),
    );
    this.f.stepsTable.hidden = steps.length === 0;
    this.v.stepsEmpty.hidden = steps.length > 0;
  }

  /** Why the episode ended, its return, then the grade and its breakdown (the regime for curation tasks). */
  private renderResult(ep: Episode): void {
    const g = ep.grade;
    const end = this.endOf(ep);
    if (!g || !end) return;
    const ret = totalReturn(ep.steps.map((s) => s.reward));
    const budget0 = ep.initial.remaining_budget;
    const last = ep.steps.at(-1)!.observation;
    const endLine = el('p', endText(end, ep.steps.length, this.maxSteps()), 'end-reason');
    endLine.dataset.reason = end.reason;
    endLine.dataset.terminated = String(end.terminated);
    endLine.dataset.truncated = String(end.truncated);

    const facts = el('dl', undefined, 'facts');
    const fact = (k: string, v: string, id?: string) => {
      const dd = el('dd', v);
      if (id) dd.id = id;
      facts.append(el('dt', k), dd);
    };
    fact('Return (sum of rewards)', signed(ret), 'total-return');
    fact('Budget used', `${count(budget0 - last.remaining_budget)} of ${count(budget0)}`);
    fact('Final performance', num(last.current_performance));

    const head = el('p', undefined, 'grade-head');
    const score = el('span', num(g.score), 'score');
    score.title = String(g.score);
    head.append(el('span', 'Grade', 'score-label'), score, passBadge(g.passed));

    const t = el('table', undefined, 'kv');
    t.append(el('caption', 'Grade breakdown'));
    const tb = el('tbody');
    for (const [k, v] of Object.entries(g.breakdown)) {
      const tr = el('tr');
      const th = el('th', k === 'regime' ? 'Regime (hidden during the episode)' : breakdownLabel(k));
      th.setAttribute('scope', 'row');
      const td = el('td', breakdownValue(k, v), typeof v === 'number' ? 'num' : 'text');
      td.dataset.key = k;
      if (typeof v === 'number') td.title = String(v);
      tr.append(th, td);
      tb.append(tr);
    }
    t.append(tb);
    const task = this.task(g.task_id);
    const crit = el('p', task ? `Pass rule: ${task.success_criteria}` : '', 'hint');
    this.v.grade.replaceChildren(endLine, facts, head, t, crit);
    this.v.grade.dataset.score = String(g.score);
    this.v.grade.dataset.passed = String(g.passed);
    this.v.grade.dataset.return = String(ret);
  }
}
