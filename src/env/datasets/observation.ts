/**
 * The data-set family's observation (docs/datasets.md "Observation"), registered with the family
 * in the task registry. Node-free, so the console can import it. Nothing in it is computed from
 * hidden truth (the test set, the pool's true labels, the regime).
 */
import Type from 'typebox';
import { TotalBatchStatsSchema, poolObservationSchema } from '../pool-observation.ts';
import type { PoolObservation, TotalBatchStats } from '../types.ts';

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

export const DatasetObservationSchema = poolObservationSchema({
  title: 'dataset',
  performance: '1 / (1 + validation cross-entropy) of the current model.',
  familyFields: {
    n_classes: Type.Integer({ description: 'K, the number of classes.' }),
    class_counts: Type.Array(Type.Integer(), { description: 'Labelled rows per class (bought labels as returned), K entries.' }),
  },
  poolUncertainty: 'Mean of (1 − max_k p_k)·K/(K − 1) over the pool with the current model.',
  lastBatch: Type.Object(
    {
      strategies: Type.Record(Type.String(), DatasetStrategyStatsSchema, { description: 'Per strategy that picked rows in the latest selection.' }),
      total: TotalBatchStatsSchema,
    },
    { additionalProperties: false },
  ),
  lastBatchDescription: 'Statistics of the latest selection (null before the first); a stop leaves it unchanged.',
});

export interface DatasetStrategyStats {
  n: number;
  disagree: number;
  expected: number;
  label_shares: number[];
  pred_shares: number[];
}

export interface DatasetLastBatch {
  strategies: Record<string, DatasetStrategyStats>;
  total: TotalBatchStats;
}

export interface DatasetObservation extends PoolObservation<DatasetLastBatch> {
  n_classes: number;
  class_counts: number[];
}
