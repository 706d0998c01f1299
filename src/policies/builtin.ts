/**
 * The built-in policies, as a pure module (no Node imports): `eval`, the library and the web
 * console all read this one table. Each entry says what it plays; a fixed policy also carries the
 * action it always plays (the console puts it into its form). All run on every task family.
 */
import { BALANCED_ACTION } from '../env/actions.ts';
import type { DatasetObservation } from '../env/datasets/observation.ts';
import { isCurationObservation, type Action, type Observation } from '../env/types.ts';

export interface PolicyContext {
  task_id: string;
  seed: number;
  /** Steps already taken in this episode (0 before the first). */
  step: number;
}

export type Policy = (observation: Observation, context: PolicyContext) => Action | Promise<Action>;

const fixed =
  (action: Action): Policy =>
  () =>
    structuredClone(action);

const UNCERTAINTY_B10: Action = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 1 } };
const DIVERSITY_B10: Action = { action_type: 'select_batch', batch_size: 10, strategy_weights: { diversity: 1 } };

/** A data-set observation (K classes): its `last_batch` keeps per-strategy stats under `strategies`. */
function isDatasetObservation(o: Observation): o is Observation & DatasetObservation {
  return 'n_classes' in o;
}

/**
 * The K-class rule's threshold: flag when some class's gap exceeds Z_K·0.5/√m once m ≥ M_K
 * (docs/datasets.md "The adaptive rule on K classes"; chosen on dataset-validation seeds).
 */
export const ADAPTIVE_K_CLASS = Object.freeze({ z: 3, minPicks: 20 });

/**
 * The reference adaptive rule of docs/curation.md, as a fresh stateful policy for one episode at a
 * time (its state restarts whenever it is asked for step 0). It plays `{uncertainty: 1}` batch 10
 * and watches the calibration gap of those picks: with m uncertainty picks so far and
 * G = Σ (label_mean − pred_mean)·n over their batches, it flags the data source — for good — when
 * (a) m ≥ 10 and G/m < −2·0.5/√m (bought labels far more negative than the model predicts), or
 * (b) 10 ≤ m ≤ 20, G/m < −0.1 and the validation performance just fell; once flagged it plays
 * `{diversity: 1}` batch 10. It reads only the observation. On the classic tasks (no
 * `last_batch`) it never flags.
 *
 * On the data-set tasks (K classes, docs/datasets.md) the same idea per class: G_k = Σ
 * (label_shares_k − pred_shares_k)·n over the uncertainty batches, and the source is flagged when
 * m ≥ 20 and max_k G_k/m > 3·0.5/√m — one class bought far more often than the model predicts
 * among its least certain rows, as a defaulting annotator does; then `{diversity: 1}` batch 10.
 */
export function createAdaptivePolicy(): Policy {
  let m = 0;
  let G = 0;
  let flagged = false;
  let previousPerformance = 0;
  /** K-class gaps per class (data-set tasks). */
  let gaps: number[] = [];
  return (o: Observation, context: PolicyContext): Action => {
    if (context.step === 0) {
      m = 0;
      G = 0;
      flagged = false;
      gaps = [];
    } else if (isDatasetObservation(o)) {
      const u = o.last_batch?.strategies.uncertainty;
      if (u) {
        m += u.n;
        for (let k = 0; k < u.label_shares.length; k++) gaps[k] = (gaps[k] ?? 0) + (u.label_shares[k]! - u.pred_shares[k]!) * u.n;
      }
      const { z, minPicks } = ADAPTIVE_K_CLASS;
      if (!flagged && m >= minPicks && Math.max(...gaps) / m > (z * 0.5) / Math.sqrt(m)) flagged = true;
    } else if (isCurationObservation(o)) {
      const u = o.last_batch?.uncertainty;
      if (u) {
        m += u.n;
        G += (u.label_mean - u.pred_mean) * u.n;
      }
      if (!flagged && m >= 10 && G / m < (-2 * 0.5) / Math.sqrt(m)) flagged = true;
      if (!flagged && m >= 10 && m <= 20 && G / m < -0.1 && o.current_performance < previousPerformance) flagged = true;
    }
    previousPerformance = o.current_performance;
    return structuredClone(flagged ? DIVERSITY_B10 : UNCERTAINTY_B10);
  };
}

/** The whole remaining budget in one balanced batch (the environment clamps it). */
const oneBatch: Policy = (o) => ({ ...structuredClone(BALANCED_ACTION), batch_size: Math.max(o.remaining_budget, 1) });

export interface BuiltinPolicy {
  description: string;
  /** The action a fixed policy plays at every step; absent for a policy that decides per observation. */
  action?: Action;
  /** Ready to use for one episode at a time (stateful policies restart at step 0). */
  policy: Policy;
  /** A fresh instance (one per concurrently played episode). */
  create: () => Policy;
}

const stateless = (description: string, policy: Policy): BuiltinPolicy => ({ description, policy, create: () => policy });
const fixedEntry = (description: string, action: Action): BuiltinPolicy => ({ ...stateless(description, fixed(action)), action });

/**
 * Built-in policies by name; each entry describes what it plays (shown by `eval --help`; the
 * console lists the same table). All run on every task family.
 */
export const BUILTIN_POLICIES: Readonly<Record<string, BuiltinPolicy>> = Object.freeze({
  balanced: fixedEntry('the original baseline: batch 10, weights {uncertainty .4, diversity .4, random .2}', BALANCED_ACTION),
  random: fixedEntry('batch 10, random sampling only {random: 1}', { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } }),
  uncertainty: fixedEntry('batch 10, uncertainty only {uncertainty: 1} (classic tasks still add 1 random row)', UNCERTAINTY_B10),
  diversity: fixedEntry('batch 10, diversity only {diversity: 1} (classic tasks still add 1 random row)', DIVERSITY_B10),
  'stop-immediately': fixedEntry(
    'stop at the first step (the reward-hacking policy of docs/behaviour.md; the worst policy on the curation tasks)',
    { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } },
  ),
  'one-batch': stateless('the whole remaining budget in one balanced batch {uncertainty .4, diversity .4, random .2}', oneBatch),
  adaptive: {
    description:
      'the reference adaptive rule of docs/curation.md: uncertainty batch 10 until the calibration gap flags the source, then diversity (data-set tasks: the per-class gap, docs/datasets.md)',
    policy: createAdaptivePolicy(),
    create: createAdaptivePolicy,
  },
});
