/**
 * The observation schema fields the curation and data-set families share (docs/curation.md,
 * docs/datasets.md), in the order they are sent; each family adds its own fields before
 * `pool_uncertainty` and its own `last_batch` statistics. Node-free, like spaces.ts, so the
 * console can import it.
 */
import Type, { type TProperties, type TSchema } from 'typebox';

/** The whole batch's statistics, after each strategy's. */
export const TotalBatchStatsSchema = Type.Object({ n: Type.Integer(), disagree: Type.Number(), expected: Type.Number() }, { additionalProperties: false });

export interface PoolObservationParts<Family extends TProperties, Batch extends TSchema> {
  /** The registry's family name. */
  title: string;
  /** How `current_performance` is computed. */
  performance: string;
  /** The family's own fields, between `labelled` and `pool_uncertainty`. */
  familyFields: Family;
  /** How `pool_uncertainty` is computed. */
  poolUncertainty: string;
  /** The latest selection's statistics (the schema of a non-null `last_batch`) and what they are. */
  lastBatch: Batch;
  lastBatchDescription: string;
}

export function poolObservationSchema<Family extends TProperties, Batch extends TSchema>(parts: PoolObservationParts<Family, Batch>) {
  return Type.Object(
    {
      remaining_budget: Type.Integer({ description: 'Budget left (never negative).' }),
      samples_available: Type.Integer({ description: 'Pool size.' }),
      current_performance: Type.Number({ description: parts.performance }),
      noise_estimate: Type.Number({
        description: 'max(0, (disagreements − expected disagreements) / bought rows) over the episode: label noise beyond what a calibrated model expects; 0 before any purchase.',
      }),
      diversity_score: Type.Number({ description: 'Population std of every feature value of the labelled rows.' }),
      validation_accuracy: Type.Number({ description: 'Share of validation rows the current model classifies correctly.' }),
      step: Type.Integer({ description: 'Accepted steps so far.' }),
      steps_left: Type.Integer({ description: 'max_steps − step.' }),
      labelled: Type.Integer({ description: 'Labelled rows (seed set + bought).' }),
      ...parts.familyFields,
      pool_uncertainty: Type.Number({ description: parts.poolUncertainty }),
      last_batch: Type.Union([parts.lastBatch, Type.Null()], { description: parts.lastBatchDescription }),
    },
    { additionalProperties: false, title: parts.title },
  );
}
