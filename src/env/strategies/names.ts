/**
 * The strategy names alone (Node-free, so the task registry, the wire schemas and the console can
 * import them without the implementations). The registry with the implementations is index.ts.
 */

/** The original three, in the order a selection runs them (random last takes the rest). */
export const CLASSIC_STRATEGIES = ['uncertainty', 'diversity', 'random'] as const;
/** The library strategies added by issue 15, in the order a selection runs them. */
export const LIBRARY_STRATEGIES = ['least_confidence', 'margin', 'entropy', 'density', 'coreset', 'committee', 'badge'] as const;
/** Every strategy name any task may accept: the original three and the library. */
export const ALL_STRATEGIES = [...CLASSIC_STRATEGIES, ...LIBRARY_STRATEGIES] as const;
export type StrategyName = (typeof ALL_STRATEGIES)[number];
/** The order a selection runs the strategies: uncertainty, diversity, the library in registry order, random last. */
export const RUN_ORDER: readonly StrategyName[] = Object.freeze(['uncertainty', 'diversity', ...LIBRARY_STRATEGIES, 'random']);
export type LibraryStrategyName = (typeof LIBRARY_STRATEGIES)[number];

export function isStrategyName(name: string): name is StrategyName {
  return (ALL_STRATEGIES as readonly string[]).includes(name);
}
