/**
 * Built-in policies of the Play panel: the fixed actions of the table of docs/behaviour.md "Known properties" (balanced
 * baseline, random only, uncertainty only, diversity only, stop immediately). A fixed policy is
 * the same action until the episode ends; a policy with `act` decides from the episode so far.
 */
import type { Action, Observation, Weights } from './types.ts';

export interface PolicyStep {
  action: Action;
  observation: Observation;
}

export interface Policy {
  id: string;
  name: string;
  /** null = the stop action (fixed policies only). */
  weights: Weights | null;
  /** The batch size the policy plays (put into the form when chosen). */
  batchSize?: number;
  description: string;
  /** The task ids it is offered for; absent = every task. */
  tasks?: readonly string[];
  /** A policy that adapts: the next action from the initial observation and the steps so far. */
  act?: (initial: Observation, history: readonly PolicyStep[]) => Action;
}

export const POLICIES: readonly Policy[] = [
  { id: 'balanced', name: 'balanced', weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 }, batchSize: 10, description: 'the original baseline: uncertainty 0.4, diversity 0.4, random 0.2' },
  { id: 'random', name: 'random', weights: { uncertainty: 0, diversity: 0, random: 1 }, batchSize: 10, description: 'random rows only' },
  { id: 'uncertainty', name: 'uncertainty', weights: { uncertainty: 1, diversity: 0, random: 0 }, batchSize: 10, description: 'highest predictive entropy (falls into the noise trap)' },
  { id: 'diversity', name: 'diversity', weights: { uncertainty: 0, diversity: 1, random: 0 }, batchSize: 10, description: 'farthest from the training centroid' },
  { id: 'stop', name: 'stop', weights: null, description: 'stop at once (collects the stop bonus on the classic tasks)' },
];

export function policyById(id: string): Policy | undefined {
  return POLICIES.find((p) => p.id === id);
}
