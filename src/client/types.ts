/** Moved to src/api/environment.ts (the contract the clients, eval, replay and the agent share); this re-export keeps older import paths working. */
export type * from '../api/environment.ts';
