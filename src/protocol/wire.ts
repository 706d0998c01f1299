/**
 * Every message of the wire protocol (docs/protocol.md §2–§8) as one TypeBox schema each: HTTP request
 * and reply bodies, query and path parameters, WebSocket frames in both directions, MCP tool
 * inputs and outputs, and error bodies. The routes declare these (fastify validation, /openapi.json),
 * the MCP tool list publishes them, the contract tests hold every reply against them, and the
 * clients and the console use their `Static<>` types. One definition per message.
 *
 * Node-free on purpose (no `node:` imports, no Buffer): the browser console imports its types.
 * A schema states what JSON Schema can; the few rules it cannot (weights not all zero with a
 * finite sum, label length in code points, the seed's digit string range) are applied by the
 * parsers in requests.ts right after it.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ActionSchema, MAX_SEED, StateSchema } from '../env/spaces.ts';
import { SPLIT_NAMES } from '../env/splits.ts';
import { ALL_STRATEGIES, LIBRARY_STRATEGIES } from '../env/strategies/names.ts';
import { TASK_IDS, observationSchema } from '../env/tasks.ts';
import type { Observation, RewardTerms, StepInfo } from '../env/types.ts';

export { ActionSchema, StateSchema, MAX_SEED };

export const MAX_EPISODE_ID_CHARS = 255;
export const MAX_LABEL_CHARS = 64;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** An object with any keys, every value matching `value` (written as OpenAPI tools expect it). */
const Dict = <T extends TSchema>(value: T) => Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value });

// ─── Shared pieces ───────────────────────────────────────────────────────────────────────────

/** The observation of any task family (the family's schema, or anyOf the families'). */
export const ObservationSchema = Type.Unsafe<Observation>(observationSchema());

export const TaskIdSchema = Type.String({ description: `A task id: ${TASK_IDS.join(', ')}.` });

/** One validation problem, FastAPI's `detail` entry shape (§5). */
export const ValidationIssueSchema = Type.Object(
  {
    loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
    msg: Type.String(),
    type: Type.String(),
  },
  { additionalProperties: false },
);

export const ERROR_CODES = [
  'INVALID_JSON',
  'VALIDATION_ERROR',
  'UNKNOWN_TYPE',
  'EXECUTION_ERROR',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'CAPACITY_REACHED',
  'SESSION_ERROR',
  'CONFLICT',
  'STORE_UNAVAILABLE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'TIMEOUT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_REASONS = [
  'invalid_json',
  'unsupported_media_type',
  'unknown_type',
  'invalid_request',
  'invalid_action',
  'invalid_task',
  'task_mismatch',
  'episode_exists',
  'no_episode',
  'episode_over',
  'episode_not_found',
  'episode_not_finished',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'capacity_reached',
  'session_expired',
  'session_not_found',
  'session_in_use',
  'step_conflict',
  'episode_in_use',
  'store_unavailable',
  'store_corrupt',
  'replay_mismatch',
  'invalid_split',
  'index_out_of_range',
  'range_too_large',
  'unknown_environment',
  'internal',
  'missing_api_key',
  'invalid_api_key',
  'origin_not_allowed',
  'host_not_allowed',
  'rate_limited',
  'request_timeout',
  'headers_too_large',
  'uri_too_long',
  'invalid_url',
  'malformed_request',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/** HTTP error body: `detail` is a string, or for 422 the list of problems (§5). */
export const HttpErrorSchema = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(ValidationIssueSchema)]),
    code: Type.Enum([...ERROR_CODES], { description: 'Category (OpenEnv vocabulary).' }),
    reason: Type.Enum([...ERROR_REASONS], { description: 'Specific cause.' }),
  },
  { additionalProperties: false },
);

const SelectionTermsSchema = Type.Object(
  {
    performance_gain: Type.Number(),
    diversity_bonus: Type.Number(),
    gain_multiplier: Type.Number(),
    gain: Type.Number(),
    budget_cost: Type.Number(),
    redundancy_penalty: Type.Number(),
    noise_penalty: Type.Number(),
    step_bonus: Type.Number(),
  },
  { additionalProperties: false },
);
const StopTermsSchema = Type.Object({ stop_reward: Type.Number() }, { additionalProperties: false });
/** A curation selection's reward is one term, 10 · Δ current_performance. */
const CurationSelectionTermsSchema = Type.Object({ validation_gain: Type.Number() }, { additionalProperties: false });
export const RewardTermsSchema = Type.Unsafe<RewardTerms>(
  Type.Union([SelectionTermsSchema, StopTermsSchema, CurationSelectionTermsSchema], {
    description:
      'The reward as named terms; a classic selection sums gain + budget_cost + redundancy_penalty + noise_penalty + step_bonus, a curation selection is validation_gain.',
  }),
);

/**
 * `info` of a step: a classic selection's three original keys plus `terms`, a curation
 * selection's effective batch and per-strategy counts, or `{}` for a stop (§2.4).
 */
export const StepInfoSchema = Type.Unsafe<StepInfo>(Type.Union([
  Type.Object(
    { gain: Type.Number(), redundancy: Type.Number(), noise_ratio: Type.Number(), terms: Type.Optional(SelectionTermsSchema) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      batch_size: Type.Integer(),
      split: Type.Object(
        {
          uncertainty: Type.Integer(),
          diversity: Type.Integer(),
          random: Type.Integer(),
          ...Object.fromEntries(LIBRARY_STRATEGIES.map((name) => [name, Type.Optional(Type.Integer({ description: `Present when the action weighted ${name}.` }))])),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      batch_size: Type.Integer(),
      split: Type.Record(Type.String(), Type.Integer(), { description: 'Data-set tasks: rows each named strategy picked, in run order.' }),
    },
    { additionalProperties: false },
  ),
  Type.Object({}, { additionalProperties: false }),
]));

/** Curation and data-set grades: held-out test accuracy after reset and after each selection (reporting only). */
export const LearningCurveSchema = Type.Object(
  {
    budget_used: Type.Array(Type.Integer({ minimum: 0 }), { description: 'Labels bought at each point (0 after reset).' }),
    test_accuracy: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { description: "The model's held-out test accuracy at that point." }),
  },
  { additionalProperties: false, description: 'The learning curve (AUBC in the breakdown is its normalised area, docs/datasets.md); never observable before the end.' },
);

/**
 * Top-level `metadata` of reset and step replies on every transport: OpenEnv serialises
 * Observation.metadata beside observation/reward/done (typed clients read payload["metadata"];
 * trainers log reward components from it). The observation itself keeps its five keys.
 */
export const EpisodeMetadataSchema = Type.Object(
  {
    episode_id: Type.String(),
    task_id: Type.String(),
    seed: Type.Integer({ minimum: 0, maximum: MAX_SEED }),
    split: Nullable(Type.String({ description: 'The Task API split this (task, seed) belongs to, however the episode was started.' })),
    index: Nullable(Type.Integer({ minimum: 0, description: 'Its index in that split.' })),
    step: Type.Integer({ minimum: 0 }),
    reward_terms: Type.Optional(RewardTermsSchema),
    terminated: Type.Optional(Type.Boolean()),
    truncated: Type.Optional(Type.Boolean()),
    grade: Type.Optional(
      Type.Object(
        {
          score: Type.Number(),
          passed: Type.Boolean(),
          breakdown: Type.Optional(
            Type.Record(Type.String(), Type.Number(), {
              description: 'The classic tasks\' score terms. Absent for curation tasks: their breakdown reads the hidden truth and is the grader\'s alone.',
            }),
          ),
        },
        { additionalProperties: false, description: 'Once done: the grade of the episode\'s own task (score and passed; no hidden-truth terms).' },
      ),
    ),
  },
  { additionalProperties: false },
);

// ─── HTTP: requests ──────────────────────────────────────────────────────────────────────────

export const SeedSchema = Type.Union(
  [Type.Integer({ minimum: 0, maximum: MAX_SEED }), Type.String({ pattern: '^[0-9]{1,10}$' }), Type.Null()],
  { description: `0 … ${MAX_SEED}: an integral number or a string of digits; null = 42.` },
);
export const EpisodeIdFieldSchema = Nullable(
  Type.String({ maxLength: MAX_EPISODE_ID_CHARS, description: 'An episode id: printable characters; "" or null = none.' }),
);
export const LabelFieldSchema = Nullable(Type.String({ maxLength: MAX_LABEL_CHARS, description: 'A free name stored with the episode.' }));

/** OpenEnv's reset(split=…, index=…) (Task API): the index-th (task, seed) of the split. */
export const SplitFieldSchema = Nullable(Type.String({ description: 'A Task API split (GET /dataselectenv/splits); the episode is one of its entries.' }));
export const IndexFieldSchema = Nullable(
  Type.Integer({ minimum: 0, description: 'The entry of the split (needs split); it fixes task_id and seed. Without it the seed is mapped into the split.' }),
);

/** POST /reset (§4.6): an optional object; no body, `{}` and `null` mean the defaults. */
export const ResetRequestSchema = Type.Union([
  Type.Object(
    {
      task_id: Type.Optional(Nullable(TaskIdSchema)),
      seed: Type.Optional(SeedSchema),
      episode_id: Type.Optional(EpisodeIdFieldSchema),
      label: Type.Optional(LabelFieldSchema),
      split: Type.Optional(SplitFieldSchema),
      index: Type.Optional(IndexFieldSchema),
    },
    { additionalProperties: true },
  ),
  Type.Null(),
]);

/** POST /step (§4.7). */
export const StepRequestSchema = Type.Object(
  {
    action: ActionSchema,
    episode_id: Type.Optional(EpisodeIdFieldSchema),
    step: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'The number this step will have (the reply\'s `step`). A retry with the same number and action is answered from the log and never applied twice; another action, or a number that is not next, is a 409 step_conflict.',
      }),
    ),
  },
  { additionalProperties: true },
);

/** POST /grader (§4.10): `task_id` defaults to the episode's own; a different one is refused. */
export const GraderRequestSchema = Type.Object(
  { episode_id: Type.String(), task_id: Type.Optional(Nullable(TaskIdSchema)) },
  { additionalProperties: true },
);

export const StateQuerySchema = Type.Object({ episode_id: Type.Optional(Type.String()) }, { additionalProperties: true });

export const EpisodesQuerySchema = Type.Object(
  {
    task_id: Type.Optional(TaskIdSchema),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'Page size 1 … 1000 (default 100).' })),
    before: Type.Optional(Type.String({ description: 'The next_before value of the previous page.' })),
    format: Type.Optional(
      Type.String({ description: 'json (default, a page); jsonl or openenv: every matching episode streamed as JSON Lines (filters task_id, label, since, until, limit).' }),
    ),
  },
  { additionalProperties: true },
);

export const EpisodeParamsSchema = Type.Object({ id: Type.String() }, { additionalProperties: false });

// ─── HTTP: replies ───────────────────────────────────────────────────────────────────────────

/** POST /reset 200: the five keys of §4.6 and OpenEnv's top-level `metadata`. */
export const ResetReplySchema = Type.Object(
  {
    episode_id: Type.String(),
    task_id: Type.String(),
    observation: ObservationSchema,
    reward: Type.Null(),
    done: Type.Literal(false),
    metadata: EpisodeMetadataSchema,
  },
  { additionalProperties: false },
);

/** POST /step 200 (§4.7): the reward keeps the original's `{value}` wrapper. */
export const HttpStepReplySchema = Type.Object(
  {
    episode_id: Type.String(),
    step: Type.Integer({ minimum: 1 }),
    observation: ObservationSchema,
    reward: Type.Object({ value: Type.Number() }, { additionalProperties: false }),
    done: Type.Boolean(),
    info: StepInfoSchema,
    terminated: Type.Boolean(),
    truncated: Type.Boolean(),
    metadata: EpisodeMetadataSchema,
  },
  { additionalProperties: false },
);

/** GET /state 200 (§2.3), also the WebSocket `state` reply and the MCP `get_state` payload. */
export const StateReplySchema = Type.Object(StateSchema.properties, { additionalProperties: false });

export const GradeReplySchema = Type.Object(
  {
    episode_id: Type.String(),
    task_id: Type.String(),
    score: Type.Number({ minimum: 0, maximum: 1 }),
    passed: Type.Boolean(),
    breakdown: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]), {
      description: "The score's terms; a curation or data-set grade also reveals the episode's hidden regime here (a string), never before, and the AUBC.",
    }),
    learning_curve: Type.Optional(LearningCurveSchema),
  },
  { additionalProperties: false },
);

export const TaskInfoSchema = Type.Object(
  {
    task_id: Type.String(),
    family: Type.String({ description: 'The task family: classic, curation or dataset.' }),
    difficulty: Type.String(),
    description: Type.String(),
    success_criteria: Type.String(),
    budget: Type.Integer(),
    max_steps: Type.Integer(),
    min_batch: Type.Integer(),
    strategies: Type.Array(Type.Enum([...ALL_STRATEGIES]), {
      description: "The strategy names this task's actions may weight (any other name is a 422 listing these).",
    }),
    action_schema: Type.Record(Type.String(), Type.Unknown()),
    observation_schema: Type.Record(Type.String(), Type.Unknown(), { description: "The JSON Schema of this task's observation." }),
  },
  { additionalProperties: false },
);
export const TasksReplySchema = Type.Object(
  { tasks: Type.Array(TaskInfoSchema), action_schema: Dict(Type.Unknown()) },
  { additionalProperties: false },
);

export const BaselineReplySchema = Type.Object(
  {
    baseline_agent: Type.String(),
    seed: Type.Integer(),
    results: Dict(
      Type.Object(
        {
          score: Type.Number(),
          passed: Type.Boolean(),
          breakdown: Dict(Type.Number()),
          total_reward: Type.Number(),
          final_performance: Type.Number(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const HealthReplySchema = Type.Object(
  {
    status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded')], { description: 'degraded while the episode store cannot be used' }),
    env: Type.String(),
    version: Type.String(),
    active_sessions: Type.Integer({ minimum: 0 }),
    max_sessions: Type.Integer({ minimum: 1 }),
    replica_id: Type.String({ description: 'This process (REPLICA_ID; default hostname:pid): which replica answered' }),
    store: Type.Object(
      {
        status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable'), Type.Literal('corrupt')]),
        reason: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** GET /metadata 200: exactly OpenEnv's EnvironmentMetadata fields (§4.2). */
export const MetadataReplySchema = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    readme_content: Nullable(Type.String()),
    version: Nullable(Type.String()),
    author: Nullable(Type.String()),
    documentation_url: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** GET / 200: where to go next; `console` only when the server serves it (/web). */
export const IndexReplySchema = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    console: Type.Optional(Type.String()),
    docs: Type.String(),
    redoc: Type.String(),
    openapi: Type.String(),
    health: Type.String(),
  },
  { additionalProperties: false },
);

/** GET /schema 200: three JSON Schema objects (§4.3). */
export const SchemaReplySchema = Type.Object(
  {
    action: Dict(Type.Unknown()),
    observation: Dict(Type.Unknown()),
    state: Dict(Type.Unknown()),
  },
  { additionalProperties: false },
);

const episodeHeader = {
  episode_id: Type.String(),
  task_id: Type.String(),
  seed: Type.Integer({ minimum: 0 }),
  label: Nullable(Type.String()),
  step_count: Type.Integer({ minimum: 0 }),
  finished_at: Type.String({ format: 'date-time' }),
};

export const EpisodeSummarySchema = Type.Object(
  {
    ...episodeHeader,
    score: Type.Number(),
    passed: Type.Boolean(),
    aubc: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "The grade's AUBC, when its breakdown reports one (curation and data-set tasks)." })),
    learning_curve: Type.Optional(LearningCurveSchema),
  },
  { additionalProperties: false },
);
export const EpisodesPageSchema = Type.Object(
  { episodes: Type.Array(EpisodeSummarySchema), next_before: Nullable(Type.String()) },
  { additionalProperties: false },
);

/** The action as recorded (§2.2 fields only). */
export const RecordedActionSchema = Type.Object(
  {
    action_type: Type.Enum(['select_batch', 'stop']),
    batch_size: Type.Integer({ minimum: 0 }),
    strategy_weights: Dict(Type.Number()),
  },
  { additionalProperties: false },
);
export const StepRecordSchema = Type.Object(
  {
    t: Type.Integer({ minimum: 1 }),
    action: RecordedActionSchema,
    reward: Type.Number(),
    terms: RewardTermsSchema,
    observation: ObservationSchema,
    done: Type.Boolean(),
  },
  { additionalProperties: false },
);
export const EpisodeRecordSchema = Type.Object(
  {
    ...episodeHeader,
    initial_observation: ObservationSchema,
    steps: Type.Array(StepRecordSchema),
    grade: GradeReplySchema,
  },
  { additionalProperties: false },
);

// ─── Task API (OpenEnv docs/source/guides/task-api.md) ────────────────────────────────────────

/** One entry of a split: what reset(split, index) starts. */
export const TaskEntrySchema = Type.Object(
  {
    id: Type.String({ description: '"<split>-<index>"' }),
    split: Type.String(),
    index: Type.Integer({ minimum: 0 }),
    family: Type.String(),
    task_id: Type.String(),
    seed: Type.Integer({ minimum: 0, maximum: MAX_SEED }),
  },
  { additionalProperties: false },
);
/** GET /{env_name}/splits: OpenEnv's `{name, type}` plus what a trainer needs to shard. */
export const SplitInfoSchema = Type.Object(
  {
    name: Type.String(),
    type: Type.Enum(['train', 'validation', 'test']),
    family: Type.String(),
    tasks: Type.Array(Type.String()),
    seeds: Type.Object({ start: Type.Integer(), stop: Type.Integer() }, { additionalProperties: false, description: 'Seeds start … stop−1 of each task.' }),
    num_tasks: Type.Integer({ minimum: 0 }),
    description: Type.String(),
  },
  { additionalProperties: false },
);
export const SplitsReplySchema = Type.Array(SplitInfoSchema);
export const ListEnvironmentsReplySchema = Type.Array(Type.String());
export const SplitRequestSchema = Type.Object({ split: Type.String() }, { additionalProperties: true });
export const TaskRequestSchema = Type.Object({ split: Type.String(), index: Type.Integer({ minimum: 0 }) }, { additionalProperties: true });
export const TaskRangeRequestSchema = Type.Object(
  { split: Type.String(), start: Type.Optional(Nullable(Type.Integer())), stop: Type.Optional(Nullable(Type.Integer())) },
  { additionalProperties: true, description: 'Python slice semantics: start inclusive, stop exclusive, negatives count from the end.' },
);
export const TaskListReplySchema = Type.Object(
  {
    tasks: Type.Array(TaskEntrySchema),
    env_name: Type.String(),
    num_tasks: Type.Integer({ minimum: 0 }),
    truncated: Type.Boolean({ description: 'A bounded preview: num_tasks is the honest total.' }),
  },
  { additionalProperties: false },
);
export const NumTasksReplySchema = Type.Object({ num_tasks: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export const TaskReplySchema = Type.Object({ task: TaskEntrySchema }, { additionalProperties: false });
export const TaskRangeReplySchema = Type.Object({ tasks: Type.Array(TaskEntrySchema) }, { additionalProperties: false });

// ─── WebSocket /ws (§7) ──────────────────────────────────────────────────────────────────────

/** `step` data MCPToolClient sends: `{"type": "list_tools"}` or `{"type": "call_tool", tool_name, arguments}`. */
export const WsMcpActionSchema = Type.Union([
  Type.Object({ type: Type.Literal('list_tools') }, { additionalProperties: true }),
  Type.Object(
    { type: Type.Literal('call_tool'), tool_name: Type.String(), arguments: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
    { additionalProperties: true },
  ),
]);

/**
 * Optional on every client message, echoed in its reply and error frames: a client that timed out
 * drops the late reply instead of taking it for the next one's (OpenEnv issue #1143).
 */
export const RequestIdSchema = Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Integer()]);
const rid = { request_id: Type.Optional(RequestIdSchema) };

/** Client → server. `data` is optional where §7.3 says so; extra top-level keys are ignored. */
export const WsClientFrameSchema = Type.Union([
  Type.Object({ type: Type.Literal('reset'), data: Type.Optional(ResetRequestSchema), ...rid }),
  Type.Object({ type: Type.Literal('step'), data: Type.Union([ActionSchema, WsMcpActionSchema]), ...rid }),
  Type.Object({ type: Type.Literal('state'), data: Type.Optional(Type.Unknown()), ...rid }),
  Type.Object({ type: Type.Literal('close'), data: Type.Optional(Type.Unknown()), ...rid }),
  Type.Object({ type: Type.Literal('mcp'), data: Type.Unknown(), ...rid }),
  // Takes over an unfinished WebSocket episode whose connection dropped (README: action log).
  Type.Object({ type: Type.Literal('resume'), data: Type.Object({ episode_id: Type.String({ minLength: 1, maxLength: 255 }) }), ...rid }),
]);

/** `data` of an `observation` frame (reset: step 0, reward 0, info {}; step: as §2.4). */
export const WsObservationSchema = Type.Object(
  {
    episode_id: Type.String(),
    task_id: Type.String(),
    observation: ObservationSchema,
    reward: Type.Number(),
    done: Type.Boolean(),
    step: Type.Integer({ minimum: 0 }),
    info: StepInfoSchema,
    terminated: Type.Boolean(),
    truncated: Type.Boolean(),
    metadata: EpisodeMetadataSchema,
  },
  { additionalProperties: false },
);

/** `data` of an `error` frame (§5): `errors` for validation problems, counts for capacity. */
export const WsErrorDataSchema = Type.Object(
  {
    message: Type.String(),
    code: Type.Enum([...ERROR_CODES]),
    reason: Type.Enum([...ERROR_REASONS]),
    errors: Type.Optional(Type.Array(ValidationIssueSchema)),
    active_sessions: Type.Optional(Type.Integer()),
    max_sessions: Type.Optional(Type.Integer()),
    client_sessions: Type.Optional(Type.Integer({ description: 'Sessions this client holds (per-client cap refusals).' })),
    max_sessions_per_client: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

// ─── MCP (§8) ────────────────────────────────────────────────────────────────────────────────

export const JsonRpcIdSchema = Type.Union([Type.String(), Type.Integer(), Type.Null()]);

export const JsonRpcRequestSchema = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    method: Type.String({ description: 'initialize, ping, tools/list, tools/call, openenv/session/create, openenv/session/close' }),
    params: Type.Optional(Dict(Type.Unknown())),
    id: Type.Optional(JsonRpcIdSchema),
  },
  { additionalProperties: true },
);

export const JsonRpcErrorSchema = Type.Object(
  { code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

/** Exactly one of `result` / `error` (§8.1). */
export const JsonRpcResponseSchema = Type.Union([
  Type.Object({ jsonrpc: Type.Literal('2.0'), id: JsonRpcIdSchema, result: Type.Unknown() }, { additionalProperties: false }),
  Type.Object({ jsonrpc: Type.Literal('2.0'), id: JsonRpcIdSchema, error: JsonRpcErrorSchema }, { additionalProperties: false }),
]);

/** Payload of a failed tool call: the codes and reasons of §5, `loc`s starting with "arguments". */
export const ToolErrorPayloadSchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.Enum([...ERROR_CODES]),
        reason: Type.Enum([...ERROR_REASONS]),
        message: Type.String(),
        errors: Type.Optional(Type.Array(ValidationIssueSchema)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The `take_action` payload: the step outcome with a bare-number reward. */
export const ToolStepPayloadSchema = Type.Object(
  {
    episode_id: Type.String(),
    step: Type.Integer({ minimum: 1 }),
    observation: ObservationSchema,
    reward: Type.Number(),
    done: Type.Boolean(),
    terminated: Type.Boolean(),
    truncated: Type.Boolean(),
    info: StepInfoSchema,
    metadata: EpisodeMetadataSchema,
  },
  { additionalProperties: false },
);

const ToolEpisodeIdSchema = Nullable(Type.String({ minLength: 1, maxLength: MAX_EPISODE_ID_CHARS, description: 'An episode id.' }));
const ToolTaskIdSchema = Nullable(Type.Enum([...TASK_IDS]));

/** Tool inputs (the published `inputSchema`s) and outputs (`structuredContent` of a success). */
export const TOOL_SCHEMAS = {
  list_tasks: {
    description: 'List the tasks (easy, medium, hard) with their rules, success criteria and the action schema.',
    input: Type.Object({}),
    output: TasksReplySchema,
  },
  start_episode: {
    description: 'Start a new episode. Returns episode_id, task_id and the first observation. Defaults: task easy, seed 42.',
    input: Type.Object({
      task_id: Type.Optional(ToolTaskIdSchema),
      seed: Type.Optional(SeedSchema),
      label: Type.Optional(Nullable(Type.String({ maxLength: MAX_LABEL_CHARS }))),
      split: Type.Optional(Nullable(Type.Enum([...SPLIT_NAMES]))),
      index: Type.Optional(IndexFieldSchema),
    }),
    output: ResetReplySchema,
  },
  take_action: {
    description: 'Act in an episode: select a batch of samples with strategy weights (uncertainty, diversity, random), or stop.',
    input: Type.Object({ ...ActionSchema.properties, episode_id: Type.Optional(ToolEpisodeIdSchema) }),
    output: ToolStepPayloadSchema,
  },
  get_state: {
    description: 'The state of an episode (the current one when episode_id is omitted).',
    input: Type.Object({ episode_id: Type.Optional(ToolEpisodeIdSchema) }),
    output: StateReplySchema,
  },
  grade_episode: {
    description: 'Grade a finished episode: score in [0, 1], passed, breakdown.',
    input: Type.Object({ episode_id: Type.String(), task_id: Type.Optional(ToolTaskIdSchema) }),
    output: GradeReplySchema,
  },
} as const;
export type ToolName = keyof typeof TOOL_SCHEMAS;
export const TOOL_NAMES = Object.keys(TOOL_SCHEMAS) as ToolName[];

/** The tool result envelope (§8.3); success and failure share it. */
export const ToolResultSchema = Type.Object(
  {
    content: Type.Array(Type.Object({ type: Type.Literal('text'), text: Type.String() }, { additionalProperties: false })),
    structuredContent: Type.Unknown(),
    isError: Type.Boolean(),
    data: Type.Unknown(),
  },
  { additionalProperties: false },
);

// ─── MCP actions as /ws steps (OpenEnv MCPToolClient, simulation path) ──────────────────────────

/** OpenEnv's ToolError (mcp_types.py; its model forbids other keys): a framework failure. */
export const ToolErrorSchema = Type.Object(
  {
    error_type: Type.Enum(['execution_error', 'invalid_args', 'transport_error', 'tool_not_found', 'timeout']),
    message: Type.String(),
  },
  { additionalProperties: false },
);

/** Reply to `list_tools`: OpenEnv's ListToolsObservation (tools with `input_schema`). */
export const WsListToolsObservationSchema = Type.Object(
  {
    observation: Type.Object(
      {
        tools: Type.Array(
          Type.Object({ name: Type.String(), description: Type.String(), input_schema: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        ),
      },
      { additionalProperties: false },
    ),
    reward: Type.Null(),
    done: Type.Literal(false),
    metadata: Type.Object({}, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

/**
 * Reply to `call_tool`: OpenEnv's CallToolObservation. `result` is the MCP tool result (its `data`
 * is what MCPToolClient.call_tool returns), `error` a ToolError or null. `reward`/`done` are the
 * episode's when the tool acted on it (take_action); `metadata` the episode metadata of
 * start_episode / take_action, or `{error: {code, reason, errors?}}` when the call failed.
 */
export const WsCallToolObservationSchema = Type.Object(
  {
    observation: Type.Object(
      { tool_name: Type.String(), result: Type.Union([ToolResultSchema, Type.Null()]), error: Type.Union([ToolErrorSchema, Type.Null()]) },
      { additionalProperties: false },
    ),
    reward: Type.Union([Type.Number(), Type.Null()]),
    done: Type.Boolean(),
    metadata: Type.Union([
      EpisodeMetadataSchema,
      Type.Object({}, { additionalProperties: false }),
      Type.Object(
        {
          error: Type.Object(
            { code: Type.Enum([...ERROR_CODES]), reason: Type.Enum([...ERROR_REASONS]), errors: Type.Optional(Type.Array(ValidationIssueSchema)) },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
    ]),
  },
  { additionalProperties: false },
);

// ─── Static types ────────────────────────────────────────────────────────────────────────────

export type ValidationIssue = Static<typeof ValidationIssueSchema>;
export type HttpErrorBody = Static<typeof HttpErrorSchema>;
export type ResetRequestBody = Static<typeof ResetRequestSchema>;
export type StepRequestBody = Static<typeof StepRequestSchema>;
export type GraderRequestBody = Static<typeof GraderRequestSchema>;
export type ResetReply = Static<typeof ResetReplySchema>;
export type HttpStepReply = Static<typeof HttpStepReplySchema>;
export type StateReply = Static<typeof StateReplySchema>;
export type GradeReply = Static<typeof GradeReplySchema>;
export type TaskInfo = Static<typeof TaskInfoSchema>;
export type TasksReply = Static<typeof TasksReplySchema>;
export type BaselineReply = Static<typeof BaselineReplySchema>;
export type HealthReply = Static<typeof HealthReplySchema>;
export type MetadataReply = Static<typeof MetadataReplySchema>;
export type IndexReply = Static<typeof IndexReplySchema>;
export type SchemaReply = Static<typeof SchemaReplySchema>;
export type EpisodeSummary = Static<typeof EpisodeSummarySchema>;
export type EpisodesPage = Static<typeof EpisodesPageSchema>;
export type StepRecordReply = Static<typeof StepRecordSchema>;
export type EpisodeRecord = Static<typeof EpisodeRecordSchema>;
export type WsClientFrame = Static<typeof WsClientFrameSchema>;
export type WsObservation = Static<typeof WsObservationSchema>;
export type WsErrorData = Static<typeof WsErrorDataSchema>;
export type JsonRpcId = Static<typeof JsonRpcIdSchema>;
export type JsonRpcResponse = Static<typeof JsonRpcResponseSchema>;
export type ToolStepPayload = Static<typeof ToolStepPayloadSchema>;
export type ToolErrorPayload = Static<typeof ToolErrorPayloadSchema>;
export type EpisodeMetadata = Static<typeof EpisodeMetadataSchema>;
export type ToolError = Static<typeof ToolErrorSchema>;
export type ToolResult = Static<typeof ToolResultSchema>;
export type WsListToolsObservation = Static<typeof WsListToolsObservationSchema>;
export type WsCallToolObservation = Static<typeof WsCallToolObservationSchema>;
export type TaskEntry = Static<typeof TaskEntrySchema>;
export type SplitInfo = Static<typeof SplitInfoSchema>;
export type TaskListReply = Static<typeof TaskListReplySchema>;

/** Server → client frames of /ws (§7.4). */
export const WsServerFrameSchema = Type.Union([
  Type.Object(
    { type: Type.Literal('observation'), data: Type.Union([WsObservationSchema, WsListToolsObservationSchema, WsCallToolObservationSchema]), ...rid },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('state'), data: StateReplySchema, ...rid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('close'), data: Type.Object({}, { additionalProperties: false }), ...rid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('mcp'), data: JsonRpcResponseSchema, ...rid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('error'), data: WsErrorDataSchema, ...rid }, { additionalProperties: false }),
]);
export type WsServerFrame = Static<typeof WsServerFrameSchema>;
