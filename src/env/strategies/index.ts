/**
 * The strategy registry (issue 15): every query strategy by name, with its definition and
 * reference (each implementation's file header has the full rule). Tasks declare which of these
 * they accept (`acceptedStrategies` in tasks.ts): the classic tasks keep exactly
 * `CLASSIC_STRATEGIES` (bit-exact with the original), the curation family accepts the library.
 */
import { badge } from './badge.ts';
import { committee } from './committee.ts';
import { coreset } from './coreset.ts';
import { density } from './density.ts';
import { diversity } from './diversity.ts';
import { entropySampling } from './entropy.ts';
import { leastConfidence } from './least-confidence.ts';
import { margin } from './margin.ts';
import { randomSampling } from './random.ts';
import { ALL_STRATEGIES, isStrategyName, type StrategyName } from './names.ts';
import type { StrategyFn, StrategyInfo } from './types.ts';
import { uncertainty } from './uncertainty.ts';

export { ALL_STRATEGIES, CLASSIC_STRATEGIES, LIBRARY_STRATEGIES, isStrategyName, type StrategyName } from './names.ts';
export type { ModelFactory, ProbabilisticModel, StrategyCache, StrategyContext, StrategyFn, StrategyInfo } from './types.ts';

const REGISTRY: Readonly<Record<StrategyName, StrategyInfo>> = Object.freeze({
  uncertainty: {
    name: 'uncertainty',
    definition: 'Smallest |p(1) − 0.5| (binary; the margin for K > 2); ties to the lower index.',
    reference: 'Lewis & Gale, SIGIR 1994; the curation family (docs/curation.md).',
    random: false,
    pick: uncertainty,
  },
  diversity: {
    name: 'diversity',
    definition: 'Largest squared distance to the centroid of the labelled rows; ties to the lower index.',
    reference: 'The original environment\'s diversity sampler (docs/curation.md).',
    random: false,
    pick: diversity,
  },
  random: {
    name: 'random',
    definition: 'Uniform without replacement among the remaining candidates (numpy legacy choice).',
    reference: 'The passive baseline (Settles 2009; CDALBench).',
    random: true,
    pick: randomSampling,
  },
  least_confidence: {
    name: 'least_confidence',
    definition: 'Largest 1 − max_k p_k; ties to the lower index.',
    reference: 'Lewis & Gale, SIGIR 1994; Settles 2009 §3.1; modAL uncertainty_sampling.',
    random: false,
    pick: leastConfidence,
  },
  margin: {
    name: 'margin',
    definition: 'Smallest gap between the two largest class probabilities; ties to the lower index.',
    reference: 'Scheffer, Decomain & Wrobel, IDA 2001; modAL margin_sampling.',
    random: false,
    pick: margin,
  },
  entropy: {
    name: 'entropy',
    definition: 'Largest −Σ p_k ln p_k; ties to the lower index.',
    reference: 'Settles 2009 §3.1; modAL entropy_sampling.',
    random: false,
    pick: entropySampling,
  },
  density: {
    name: 'density',
    definition: 'Largest (1 − max p) · mean similarity 1/(1 + ‖x − x\'‖) to the pool (β = 1); ties to the lower index.',
    reference: 'Settles & Craven, EMNLP 2008 (information density); modAL information_density.',
    random: false,
    pick: density,
  },
  coreset: {
    name: 'coreset',
    definition: 'k-center greedy: farthest-first from the labelled rows and this batch\'s picks (squared Euclidean); ties to the lower index.',
    reference: 'Sener & Savarese, ICLR 2018; Gonzalez 1985.',
    random: false,
    pick: coreset,
  },
  committee: {
    name: 'committee',
    definition: 'Largest vote entropy of 5 bootstrap SGD models (then consensus entropy, then the lower index).',
    reference: 'Seung, Opper & Sompolinsky, COLT 1992; Dagan & Engelson, ICML 1995; Abe & Mamitsuka, ICML 1998.',
    random: true,
    pick: committee,
  },
  badge: {
    name: 'badge',
    definition: 'k-means++ seeding (D² sampling) on gradient embeddings (p − ŷ) ⊗ x, first pick the largest norm.',
    reference: 'Ash et al., ICLR 2020; Arthur & Vassilvitskii, SODA 2007.',
    random: true,
    pick: badge,
  },
});

/** The registry entry of `name`, or undefined for an unknown name. */
export function getStrategy(name: string): StrategyInfo | undefined {
  return isStrategyName(name) ? REGISTRY[name] : undefined;
}

export function strategyFn(name: StrategyName): StrategyFn {
  return REGISTRY[name].pick;
}

export function strategyInfos(): readonly StrategyInfo[] {
  return ALL_STRATEGIES.map((s) => REGISTRY[s]);
}
