/**
 * The data-set family's observation (docs/datasets.md "Observation"), registered with the family
 * in the task registry. Node-free, so the console can import it. Nothing in it is computed from
 * hidden truth (the test set, the pool's true labels, the regime).
 */
import Type from 'typebox';

const Shares = (what: string) => Type.Array(Type.Number(), { description: what });

export const DatasetStrategyStatsSchema = Type.Object(
  {
    n: Type.Integer({ description: 'Rows this strategy picked.' }),
    disagree: Type.Number({ description: "Share of picks whose bought label differs from the model's predicted class (model before the labels)." }),
    expected: Type.Number({ description: 'Mean of 1 − max_k p_k: the disagreement a calibrated model would expect.' }),
    label_shares: Shares('Per class: share of the bought labels equal to it (K entries).'),
    pred_shares: Shares('Per class: mean predicted probability (K entries); label_shares − pred_shares is the calibration gap.'),
  },
  { additionalProperties: false },
);

export const DatasetObservationSchema = Type.Object(
  {
    remaining_budget: Type.Integer({ description: 'Budget left (never negative).' }),
    samples_available: Type.Integer({ description: 'Pool size.' }),
    current_performance: Type.Number({ description: '1 / (1 + validation cross-entropy) of the current model.' }),
    noise_estimate: Type.Number({
      description: 'max(0, (disagreements − expected disagreements) / bought rows) over the episode: label noise beyond what a calibrated model expects; 0 before any purchase.',
    }),
    diversity_score: Type.Number({ description: 'Population std of every feature value of the labelled rows.' }),
    validation_accuracy: Type.Number({ description: 'Share of validation rows the current model classifies correctly.' }),
    step: Type.Integer({ description: 'Accepted steps so far.' }),
    steps_left: Type.Integer({ description: 'max_steps − step.' }),
    labelled: Type.Integer({ description: 'Labelled rows (seed set + bought).' }),
    n_classes: Type.Integer({ description: 'K, the number of classes.' }),
    class_counts: Type.Array(Type.Integer(), { description: 'Labelled rows per class (bought labels as returned), K entries.' }),
    pool_uncertainty: Type.Number({ description: 'Mean of (1 − max_k p_k)·K/(K − 1) over the pool with the current model.' }),
    last_batch: Type.Union(
      [
        Type.Object(
          {
            strategies: Type.Record(Type.String(), DatasetStrategyStatsSchema, { description: 'Per strategy that picked rows in the latest selection.' }),
            total: Type.Object({ n: Type.Integer(), disagree: Type.Number(), expected: Type.Number() }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'Statistics of the latest selection (null before the first); a stop leaves it unchanged.' },
    ),
  },
  { additionalProperties: false, title: 'dataset' },
);

export interface DatasetStrategyStats {
  n: number;
  disagree: number;
  expected: number;
  label_shares: number[];
  pred_shares: number[];
}

export interface DatasetLastBatch {
  strategies: Record<string, DatasetStrategyStats>;
  total: { n: number; disagree: number; expected: number };
}

export interface DatasetObservation {
  remaining_budget: number;
  samples_available: number;
  current_performance: number;
  noise_estimate: number;
  diversity_score: number;
  validation_accuracy: number;
  step: number;
  steps_left: number;
  labelled: number;
  n_classes: number;
  class_counts: number[];
  pool_uncertainty: number;
  last_batch: DatasetLastBatch | null;
}
