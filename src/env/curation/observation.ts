/**
 * The curation family's observation schema (docs/curation.md), registered with the family in the
 * task registry. Node-free, like spaces.ts, so the console can import it.
 */
import Type from 'typebox';
import { TotalBatchStatsSchema, poolObservationSchema } from '../pool-observation.ts';
import { LIBRARY_STRATEGIES } from '../strategies/names.ts';

const StrategyStatsSchema = Type.Union(
  [
    Type.Object(
      {
        n: Type.Integer({ description: 'Rows this strategy picked.' }),
        disagree: Type.Number({ description: 'Share of picks whose bought label differs from the predicted class (model before the labels).' }),
        expected: Type.Number({ description: 'Mean of min(p, 1 − p): the disagreement a calibrated model would expect.' }),
        label_mean: Type.Number({ description: 'Share of bought labels equal to 1.' }),
        pred_mean: Type.Number({ description: 'Mean predicted P(class 1); label_mean − pred_mean is the calibration gap.' }),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'null when the strategy picked nothing.' },
);

/** The curation family's observation (docs/curation.md): nothing in it is computed from hidden truth. */
export const CurationObservationSchema = poolObservationSchema({
  title: 'curation',
  performance: '1 / (1 + validation log-loss) of the current model.',
  familyFields: {},
  poolUncertainty: 'Mean of 1 − |2p − 1| over the pool with the current model.',
  lastBatch: Type.Object(
    {
      uncertainty: StrategyStatsSchema,
      diversity: StrategyStatsSchema,
      random: StrategyStatsSchema,
      ...Object.fromEntries(
        LIBRARY_STRATEGIES.map((name) => [
          name,
          Type.Optional(Type.Union(StrategyStatsSchema.anyOf, { description: `Present when the action weighted ${name}; null when it picked nothing.` })),
        ]),
      ),
      total: TotalBatchStatsSchema,
    },
    { additionalProperties: false },
  ),
  lastBatchDescription: 'Per-strategy statistics of the latest selection (null before the first); a stop leaves it unchanged.',
});
