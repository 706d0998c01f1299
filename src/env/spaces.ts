/**
 * The spaces of the environment as TypeBox schemas (JSON Schema at run time, static types at
 * compile time): the action every family accepts, the state, and the seed range. Node-free, so
 * the console and any browser code can import it. The observation of each task family lives with
 * the family in the task registry (tasks.ts).
 */
import Type, { type TOptional } from 'typebox';
import { ALL_STRATEGIES, type StrategyName } from './strategies/names.ts';

/** numpy's seed range (D13); numerics/random-state.ts refuses anything outside it too. */
export const MAX_SEED = 0xffffffff;

const Weight = Type.Number({ minimum: 0, description: 'A non-negative, finite weight.' });

export const ActionSchema = Type.Object(
  {
    action_type: Type.Enum(['select_batch', 'stop'], {
      description: 'select_batch to select data, stop to end the episode early.',
    }),
    batch_size: Type.Integer({ minimum: 0, description: 'Number of samples to select this step.' }),
    strategy_weights: Type.Object(
      Object.fromEntries(ALL_STRATEGIES.map((s) => [s, Type.Optional(Weight)])) as Record<StrategyName, TOptional<typeof Weight>>,
      {
        additionalProperties: false,
        minProperties: 1,
        description:
          'Sampling strategy weights — normalized internally; not all zero, and their sum must be finite. Each task accepts a subset of these names (its `strategies` in /tasks): the classic tasks uncertainty, diversity and random (weights normalised as w / (sum + 1e-8)), the curation family every strategy of the library.',
      },
    ),
  },
  { additionalProperties: true, description: 'An action. Other keys (e.g. OpenEnv metadata) are ignored.' },
);

export const StateSchema = Type.Object({
  episode_id: Type.Union([Type.String(), Type.Null()]),
  task_id: Type.Union([Type.String(), Type.Null()]),
  step_count: Type.Integer({ minimum: 0 }),
  done: Type.Boolean(),
  remaining_budget: Type.Union([Type.Integer(), Type.Null()]),
  current_performance: Type.Union([Type.Number(), Type.Null()]),
  pool_size: Type.Union([Type.Integer(), Type.Null()]),
});

