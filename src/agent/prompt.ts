/**
 * The prompt: a system message generated from the task registry (so the rules the model reads
 * are the rules the grader applies, D6) and a user message carrying the episode so far and the
 * current observation.
 *
 * History: each user message carries a compact line per earlier step — the action played, how the
 * answer was read when it was not read as is, the reward and the key signals of the observation
 * that followed — rather than the chat history of the earlier turns. Each request then stands alone
 * (the same size whatever the model wrote before, no earlier free text re-sent), grows by one short
 * line per step instead of one observation JSON and one answer per step, and still shows the model
 * everything it needs to adapt: what it did and what it saw after. (The tool-calling mode keeps the
 * chat history, since a tool result must follow its call.)
 *
 * For the curation family the observation is explained from the family's observation schema in
 * the registry, with what `last_batch` and a calibration gap mean; nothing in any prompt names or
 * describes the hidden annotator conditions the grade reveals (a test checks it).
 */
import type { TSchema } from 'typebox';
import { STRATEGIES, isCurationObservation, type Action, type LastBatch, type Observation, type StrategyBatchStats } from '../env/types.ts';
import { CURATION } from '../env/curation/params.ts';
import { getStrategy } from '../env/strategies/index.ts';
import { describeTask, observationSchemaOf, successCriteria, type CurationTaskSpec, type TaskSpec } from '../env/tasks.ts';

/** The classic fields in the original runner's words (the schema's descriptions are terser). */
const FIELD_HELP: Record<keyof Observation, string> = {
  remaining_budget: 'labelling budget left (integer); each selected sample costs 1',
  diversity_score: 'spread of the training set (population std of its features); higher = more diverse',
  noise_estimate: 'fraction of mislabelled samples still in the unlabelled pool (0–1)',
  current_performance: 'model quality on validation data, 1 / (1 + log-loss) (higher is better)',
  samples_available: 'unlabelled samples left in the pool',
};

/** How the model answers: one JSON object (the default) or a tool call. */
export type AnswerMode = 'json' | 'tools';

export interface PromptOptions {
  mode?: AnswerMode;
}

const ACTION_JSON = `{"action_type": "select_batch", "batch_size": <integer>, "strategy_weights": {"uncertainty": <0-1>, "diversity": <0-1>, "random": <0-1>}}`;
const STOP_JSON = `{"action_type": "stop", "batch_size": 0, "strategy_weights": {"random": 1}}`;

function answerRules(task: TaskSpec, mode: AnswerMode): string[] {
  const selectRule = `label batch_size samples (at least ${task.minBatch}, at most the remaining budget), chosen by the weighted mix of strategies (${(task.strategies ?? STRATEGIES).join(', ')}); weights are normalised, at least one must be positive.`;
  if (mode === 'tools') {
    return [
      'You act by calling tools, one take_action call per turn:',
      `- take_action with action_type "select_batch", batch_size and strategy_weights: ${selectRule}`,
      '- take_action with action_type "stop" ends the episode now.',
      '- get_state reads the episode state (step count, budget, performance) without acting.',
      'Each take_action result is the observation that follows, with the reward.',
    ];
  }
  return [
    'You answer with ONE action, a JSON object and nothing else:',
    ACTION_JSON,
    `- select_batch: ${selectRule}`,
    `- ${STOP_JSON} ends the episode now.`,
  ];
}

function classicSystemPrompt(task: TaskSpec, mode: AnswerMode): string {
  const fields = (Object.keys(FIELD_HELP) as (keyof Observation)[]).map((k) => `- ${k}: ${FIELD_HELP[k]}`).join('\n');
  const rules = answerRules(task, mode);
  return [
    "You are an active-learning agent choosing which unlabelled samples to add to a classifier's training set.",
    '',
    'Each turn you see an observation with these fields:',
    fields,
    '',
    ...rules,
    '- uncertainty picks the samples the model is least sure about (mislabelled samples look very uncertain);',
    '  diversity picks samples far from the training set; random picks uniformly.',
    '',
    `Task '${task.id}' (${task.difficulty}): ${describeTask(task)}`,
    `The episode ends when the budget is spent, after ${task.maxSteps} steps, or when you stop.`,
  ].join('\n');
}

type JsonSchema = { description?: string; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[] };

/** The schema's own JSON form (TypeBox keeps descriptions as plain keys). */
function plain(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** The object branch of a nullable object schema. */
function objectBranch(s: JsonSchema | undefined): JsonSchema | undefined {
  return s?.properties ? s : s?.anyOf?.find((b) => b.properties !== undefined);
}

/** The task's accepted strategies beyond the original three, with their definitions from the strategy registry. */
function libraryStrategyLines(task: TaskSpec): string[] {
  const extra = (task.strategies ?? STRATEGIES).filter((n) => !(STRATEGIES as readonly string[]).includes(n));
  if (extra.length === 0) return [];
  return [
    'This task also accepts these strategies in strategy_weights (same 0-1 weights, mixed with the others); each picks the rows that rank first by:',
    ...extra.map((n) => `  - ${n}: ${getStrategy(n)?.definition ?? ''}`.trimEnd()),
    '  last_batch then has an entry for each of them that the action weighted.',
  ];
}

function curationSystemPrompt(task: CurationTaskSpec, mode: AnswerMode): string {
  const schema = plain(observationSchemaOf(task));
  const props = schema.properties ?? {};
  const fields = Object.entries(props).map(([k, v]) => `- ${k}: ${v.description ?? ''}`.trimEnd());
  const batch = objectBranch(props.last_batch);
  const perStrategy = objectBranch(batch?.properties?.uncertainty)?.properties ?? {};
  const statFields = Object.entries(perStrategy).map(([k, v]) => `  - ${k}: ${v.description ?? ''}`.trimEnd());
  return [
    'You are an active-learning agent buying labels for a classifier: each step you choose how many pool rows to buy labels for, and by which strategies.',
    '',
    `Task '${task.id}' (${task.difficulty}): ${task.summary}`,
    `Rules: budget=${task.budget}, max_steps=${task.maxSteps}, min_batch=${task.minBatch}; you start with ${task.nSeed} labelled rows and a pool of ${CURATION.nPool} unlabelled rows.`,
    'After every purchase the classifier (logistic regression) is refitted from scratch on every labelled row, the bought ones with the labels the annotators gave.',
    `Reward: ${CURATION.rewardScale}·(change of current_performance on the validation rows); a stop pays 0.`,
    `Grade, computed once the episode is over and never shown during it: passes when ${successCriteria(task)}.`,
    'The normalisation puts plain random sampling near 0 and a strong reference near 1; the test rows are never observed, so the validation figures are your only guide to it.',
    `The episode ends when the budget is spent, after ${task.maxSteps} steps, or when you stop.`,
    '',
    'Each turn you see an observation with these fields:',
    ...fields,
    '',
    'last_batch, for each strategy that picked rows in the latest selection (null for one that picked none), measured with the model as it was before it saw those labels:',
    ...statFields,
    '  total: n, disagree and expected over the whole selection.',
    'How to read it:',
    '- disagree much above expected: the bought labels contradict the model more often than a calibrated model predicts; disagree near expected: they agree with it about as well as it expects.',
    '- the calibration gap label_mean − pred_mean is the share of positive labels bought minus the share the model predicted for the same rows: near 0 the labels match what the model learned elsewhere;',
    '  clearly above 0 the rows came back positive more often than predicted, clearly below 0 less often. With n rows its sampling noise is about 0.5/√n, so judge a gap by its size against that and over several batches.',
    '',
    ...answerRules(task, mode),
    '- uncertainty buys the rows the current model is least sure about (probability closest to 0.5);',
    '  diversity buys the rows farthest from the centre of the labelled rows; random buys uniformly.',
    ...libraryStrategyLines(task),
  ].join('\n');
}

export function systemPrompt(task: TaskSpec, options: PromptOptions = {}): string {
  const mode = options.mode ?? 'json';
  return task.family === 'curation' ? curationSystemPrompt(task, mode) : classicSystemPrompt(task, mode);
}

/** One earlier step, as the next prompt shows it. */
export interface HistoryEntry {
  step: number;
  action: Action;
  /** How the answer was read: ok, repaired, refused (the fallback was played) or no_answer. */
  outcome: 'ok' | 'repaired' | 'refused' | 'no_answer';
  reward: number;
  observation: Observation;
}

export interface TurnContext {
  step: number;
  maxSteps: number;
  /** The previous step only (used when `history` is absent). */
  previous?: { action: Action; reward: number } | undefined;
  /** Every earlier step of the episode. */
  history?: readonly HistoryEntry[];
}

const f4 = (x: number) => x.toFixed(4);
const sgn = (x: number, d = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

/** The original three by their initial (u, d, r); library strategies by their full name (several share an initial). */
function short(name: string): string {
  return (STRATEGIES as readonly string[]).includes(name) ? name[0] : name;
}

/** An action in a few characters: `select 10 u.40 d.40 r.20` or `stop`. */
export function compactAction(a: Action): string {
  if (a.action_type === 'stop') return 'stop';
  const w = a.strategy_weights as Record<string, number | undefined>;
  const parts = Object.keys(w)
    .filter((k) => w[k] !== undefined)
    .map((k) => `${short(k)}${k.length > 1 && short(k) === k ? ' ' : ''}${w[k]!.toFixed(2).replace(/^0(?=\.)/, '')}`);
  return `select ${a.batch_size} ${parts.join(' ')}`;
}

function batchSignals(b: LastBatch): string {
  const parts: string[] = [];
  for (const [k, s] of Object.entries(b) as [string, StrategyBatchStats | null][]) {
    if (k === 'total' || !s) continue;
    parts.push(`${short(k)} n${s.n} dis ${s.disagree.toFixed(2)}/exp ${s.expected.toFixed(2)} gap ${sgn(s.label_mean - s.pred_mean)}`);
  }
  return parts.join('; ');
}

/** The key signals of an observation in one line. */
export function observationSignals(o: Observation): string {
  const base = `perf ${f4(o.current_performance)} budget ${o.remaining_budget} noise ${o.noise_estimate.toFixed(3)}`;
  if (!isCurationObservation(o)) return `${base} diversity ${o.diversity_score.toFixed(3)}`;
  const batch = o.last_batch ? ` | ${batchSignals(o.last_batch)}` : '';
  return `${base} val_acc ${o.validation_accuracy.toFixed(3)} pool_unc ${o.pool_uncertainty.toFixed(3)}${batch}`;
}

const OUTCOME_NOTE: Record<HistoryEntry['outcome'], string> = {
  ok: '',
  repaired: ' (your answer was repaired)',
  refused: ' (your answer was refused; the fallback action was played)',
  no_answer: ' (no answer from you; the fallback action was played)',
};

/** The episode so far, one line per step. */
export function historyLines(history: readonly HistoryEntry[]): string[] {
  return history.map((h) => `${h.step}. ${compactAction(h.action)}${OUTCOME_NOTE[h.outcome]} → reward ${sgn(h.reward, 4)} | ${observationSignals(h.observation)}`);
}

export function userPrompt(observation: Observation, ctx: TurnContext): string {
  const lines = [`Step ${ctx.step + 1} of at most ${ctx.maxSteps}.`];
  if (ctx.history && ctx.history.length > 0) {
    lines.push('Episode so far (step. action → reward | signals after it):', ...historyLines(ctx.history));
  } else if (!ctx.history && ctx.previous) {
    lines.push(`Your previous action: ${JSON.stringify(ctx.previous.action)} → reward ${ctx.previous.reward.toFixed(4)}.`);
  }
  lines.push('Current observation:', JSON.stringify(observation, null, 2), '', 'What action do you take? Answer with the JSON object only.');
  return lines.join('\n');
}

/** Tools mode: the conversation's first user message (later turns are tool results). */
export function toolsOpening(observation: Observation, maxSteps: number): string {
  return [`Step 1 of at most ${maxSteps}.`, 'Current observation:', JSON.stringify(observation, null, 2), '', 'Act with the take_action tool.'].join('\n');
}
