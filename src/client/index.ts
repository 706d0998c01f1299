/** `dataselectenv/client`: the shared `Environment` interface and its three implementations. */
export type * from '../api/environment.ts';
export { ClientError, isClientError, type ClientSideCode } from '../api/errors.ts';
export { InProcessEnvironment } from './inprocess.ts';
export {
  HttpClient,
  HttpEnvironment,
  DEFAULT_TIMEOUT_MS,
  type HttpClientOptions,
  type ResetReply,
  type HttpStepReply,
  type TaskInfo,
  type TasksReply,
  type HealthReply,
  type EpisodeSummary,
  type EpisodesPage,
  type EpisodeRecord,
  type BaselineReply,
} from './http.ts';
export { WsEnvironment, wsUrlFor, type WsClientOptions } from './ws.ts';
export { openEnvironment, type ConnectOptions } from './connect.ts';
// Policies and evaluation run against any `Environment`, so scripts get them from the same entry.
export { BUILTIN_POLICIES, createAdaptivePolicy, loadPolicy, PolicyError, type BuiltinPolicy, type Policy, type PolicyContext, type LoadedPolicy } from '../policies/index.ts';
export {
  evaluate,
  runEpisode,
  summarise,
  pairReports,
  gradeValue,
  parseSeeds,
  parseTasks,
  toCsv,
  type EvalReport,
  type EvalOptions,
  type EpisodeResult,
  type TaskSummary,
  type CurationSummary,
  type RegimeSummary,
  type PairedSummary,
  type PairedReport,
} from '../eval/run.ts';
export { meanConfidenceInterval, studentTQuantile, studentTCdf, type MeanInterval } from '../eval/stats.ts';
