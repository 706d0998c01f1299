/**
 * Built-in policies of the Play panel: the fixed actions of BEHAVIOUR.md §9's table (balanced
 * baseline, random only, uncertainty only, diversity only, stop immediately). Each is stateless,
 * so "run" is the same action until the episode ends.
 */
import type { Weights } from './types.ts';

export interface Policy {
  id: string;
  name: string;
  /** null = the stop action. */
  weights: Weights | null;
  description: string;
}

export const POLICIES: readonly Policy[] = [
  { id: 'balanced', name: 'balanced', weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 }, description: 'the original baseline: uncertainty 0.4, diversity 0.4, random 0.2' },
  { id: 'random', name: 'random', weights: { uncertainty: 0, diversity: 0, random: 1 }, description: 'random rows only' },
  { id: 'uncertainty', name: 'uncertainty', weights: { uncertainty: 1, diversity: 0, random: 0 }, description: 'highest predictive entropy (falls into the noise trap)' },
  { id: 'diversity', name: 'diversity', weights: { uncertainty: 0, diversity: 1, random: 0 }, description: 'farthest from the training centroid' },
  { id: 'stop', name: 'stop', weights: null, description: 'stop at once (collects the stop bonus)' },
];

export function policyById(id: string): Policy | undefined {
  return POLICIES.find((p) => p.id === id);
}
