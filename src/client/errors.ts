/** Moved to src/api/errors.ts (shared by the clients, eval, replay and the agent); this re-export keeps older import paths working. */
export { ClientError, isClientError, translateEnvErrors, type ClientSideCode } from '../api/errors.ts';
