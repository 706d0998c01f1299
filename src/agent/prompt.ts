/**
 * The prompt: a system message generated from the task registry (so the rules the model reads
 * are the rules the grader applies, D6) and a user message carrying the observation.
 */
import { STRATEGIES, type Action, type Observation } from '../env/types.ts';
import { describeTask, type TaskSpec } from '../env/tasks.ts';

const FIELD_HELP: Record<keyof Observation, string> = {
  remaining_budget: 'labelling budget left (integer); each selected sample costs 1',
  diversity_score: 'spread of the training set (population std of its features); higher = more diverse',
  noise_estimate: 'fraction of mislabelled samples still in the unlabelled pool (0–1)',
  current_performance: 'model quality on validation data, 1 / (1 + log-loss) (higher is better)',
  samples_available: 'unlabelled samples left in the pool',
};

export function systemPrompt(task: TaskSpec): string {
  const fields = (Object.keys(FIELD_HELP) as (keyof Observation)[]).map((k) => `- ${k}: ${FIELD_HELP[k]}`).join('\n');
  return [
    'You are an active-learning agent choosing which unlabelled samples to add to a classifier\'s training set.',
    '',
    'Each turn you see an observation with these fields:',
    fields,
    '',
    'You answer with ONE action, a JSON object and nothing else:',
    `{"action_type": "select_batch", "batch_size": <integer>, "strategy_weights": {"uncertainty": <0-1>, "diversity": <0-1>, "random": <0-1>}}`,
    `- select_batch: label batch_size samples (at least ${task.minBatch}, at most the remaining budget), chosen by the weighted mix of strategies (${STRATEGIES.join(', ')}); weights are normalised, at least one must be positive.`,
    '- uncertainty picks the samples the model is least sure about (mislabelled samples look very uncertain);',
    '  diversity picks samples far from the training set; random picks uniformly.',
    `- {"action_type": "stop", "batch_size": 0, "strategy_weights": {"random": 1}} ends the episode now.`,
    '',
    `Task '${task.id}' (${task.difficulty}): ${describeTask(task)}`,
    `The episode ends when the budget is spent, after ${task.maxSteps} steps, or when you stop.`,
  ].join('\n');
}

export interface TurnContext {
  step: number;
  maxSteps: number;
  previous?: { action: Action; reward: number } | undefined;
}

export function userPrompt(observation: Observation, ctx: TurnContext): string {
  const lines = [`Step ${ctx.step + 1} of at most ${ctx.maxSteps}.`];
  if (ctx.previous) lines.push(`Your previous action: ${JSON.stringify(ctx.previous.action)} → reward ${ctx.previous.reward.toFixed(4)}.`);
  lines.push('Current observation:', JSON.stringify(observation, null, 2), '', 'What action do you take? Answer with the JSON object only.');
  return lines.join('\n');
}
