/**
 * The agent loop (the original inference.py, done properly): for each task and seed, reset, then
 * ask the model for an action per step until the episode ends, log every step, grade. Works
 * against any `Environment` (in process, HTTP or WebSocket).
 *
 * Everything the model was sent and answered is kept in the report (the transcript), so that a
 * researcher can audit every decision: per model call the messages it added (the shared system
 * prompt by reference), the raw answer, token usage when the endpoint reports it, latency and
 * retries; per step how the answer was read (ok / repaired / refused, with the reason) and what
 * the environment returned.
 */
import type { Environment, StepOutcome } from '../api/environment.ts';
import { getTask } from '../env/tasks.ts';
import type { Action, Grade, Observation } from '../env/types.ts';
import { summarise, type EpisodeResult, type TaskSummary } from '../eval/run.ts';
import { ModelError, type ChatAnswer, type ChatMessage, type ChatModel, type ChatRequest, type RetryInfo, type FunctionTool, type StructuredOutput, type TokenUsage, type ToolCall } from './model.ts';
import { FALLBACK_ACTION, parseModelAnswer, type ParseStatus } from './parse.ts';
import { systemPrompt, toolsOpening, userPrompt, type AnswerMode, type HistoryEntry } from './prompt.ts';
import { AGENT_TOOL_NAMES, actionResponseSchema, agentTools } from './tools.ts';

/** How the step's answer was read: as is, repaired, refused (fallback played), or no answer at all (the model failed). */
export type ParseOutcome = 'ok' | 'repaired' | 'refused' | 'no_answer';

/** A message of the transcript: a chat message, but the system prompt is a reference into the report's `system_prompts`. */
export type TranscriptMessage = { role: 'system'; ref: string } | Exclude<ChatMessage, { role: 'system' }>;

export interface ModelCallRecord {
  /**
   * What this call sent that no earlier call of the episode did: in the default mode the system
   * prompt (by reference) and the user message; in tools mode the messages appended since the
   * previous call (tool results, a user note) — the model's own previous answer is that call's
   * `answer` — so the conversation is the concatenation over the calls.
   */
  messages: TranscriptMessage[];
  /** Size of the whole request: characters of every message (the system prompt included). */
  prompt_chars: number;
  /** The raw answer; null when the call failed. */
  answer: { content: string | null; tool_calls: ToolCall[]; finish_reason: string | null } | null;
  /** As the endpoint reported it; null when it did not. */
  usage: TokenUsage | null;
  /** Wall time of the call, retries and their waits included. */
  latency_ms: number;
  attempts: number;
  retries: RetryInfo[];
  structured_output: StructuredOutput;
  /** Why the call failed (after its retries), if it did. */
  error: string | null;
}

export interface AgentStep {
  step: number;
  action: Action;
  /** ok | repaired | fallback (unparseable or rejected answer, or the model failed). */
  status: ParseStatus;
  /** What was repaired, or why the answer was refused. */
  warnings: string[];
  /** The same, for the transcript reader: outcome and reason (null when ok). */
  parse: { outcome: ParseOutcome; reason: string | null };
  reward: number;
  done: boolean;
  terminated: boolean;
  truncated: boolean;
  observation: Observation;
  /** Time spent on the model for this step, in ms (rounded). */
  llm_ms: number;
  model_calls: ModelCallRecord[];
  /** Tokens of this step's calls; null when the endpoint reported none. */
  tokens: TokenTotals | null;
  /** Characters of the request that produced the action. */
  prompt_chars: number;
}

export interface TokenTotals {
  prompt: number;
  completion: number;
  total: number;
}

export interface AgentEpisode {
  task_id: string;
  seed: number;
  episode_id: string | null;
  steps: AgentStep[];
  total_reward: number;
  final_performance: number | null;
  grade: Grade | null;
  /** Why the episode could not be finished, if it was not. */
  error: { code: string; reason: string; message: string } | null;
  fallbacks: number;
  repaired: number;
  model_failures: number;
  /** Key into the report's `system_prompts`. */
  system_prompt: string;
  wall_ms: number;
  tokens: TokenTotals | null;
}

export interface AgentRunOptions {
  tasks: readonly string[];
  /** One seed (the original runner's `--seed`); ignored when `seeds` is given. */
  seed?: number;
  /** Every task is played on each of these seeds (tasks × seeds, in that order). */
  seeds?: readonly number[];
  /** One line per event (steps, warnings, results). */
  log?: (line: string) => void;
  /** Consecutive steps whose model call failed after all retries before the task is abandoned. */
  maxConsecutiveModelFailures?: number;
  label?: string;
  /** json (default): one JSON action per answer; tools: the model calls take_action / get_state. */
  mode?: AnswerMode;
  /** Default mode: ask for `response_format` json_schema output (default true; refused endpoints fall back). */
  structuredOutput?: boolean;
  /** USD per million prompt / completion tokens, for the cost estimate (when usage is reported). */
  price?: { prompt: number; completion: number };
}

/** Prompt size over the model calls of a run (characters; tokens as the endpoint counted them). */
export interface PromptSize {
  calls: number;
  chars: { min: number; mean: number; max: number };
  /** null when the endpoint reported no usage. */
  tokens: { min: number; mean: number; max: number } | null;
}

export interface AgentSummary {
  episodes: number;
  graded: number;
  unfinished: number;
  steps: number;
  model_calls: number;
  retries: number;
  wall_ms: number;
  parse: Record<ParseOutcome, number>;
  /** Sums over the calls that reported usage; null when none did. */
  tokens: (TokenTotals & { calls_with_usage: number; calls_without_usage: number }) | null;
  /**
   * Estimated cost: from the endpoint's own `usage.cost` when every call carried one, else from
   * `--price` and the reported tokens; null without usage (or without a price).
   */
  cost: { usd: number; basis: 'endpoint' | 'price' } | null;
  /** Model calls by structured output: json_schema (accepted), refused (endpoint refused it; text parsed), off. */
  structured_output: Record<StructuredOutput, number>;
  prompt_size: PromptSize;
  /** Prompt size per task (keyed by task id). */
  prompt_size_by_task: Record<string, PromptSize>;
}

export interface AgentReport {
  model: string;
  transport: string;
  /** The first seed (kept for readers of the single-seed report). */
  seed: number;
  seeds: number[];
  /** Per task over the graded episodes: mean grade ± 95% CI, pass rate (the eval command's summary). */
  tasks: TaskSummary[];
  episodes: AgentEpisode[];
  /** Mean grade over every episode; null when any episode was not finished. */
  mean_score: number | null;
  /** The system prompt of each task, referenced by the transcript. */
  system_prompts: Record<string, string>;
  mode: AnswerMode;
  /** Tools mode: the function tools offered to the model (from the MCP tool list); null otherwise. */
  tools: FunctionTool[] | null;
  summary: AgentSummary;
}

/** A configuration error (bad key, unknown model): every later call would fail the same way. */
export class AgentAbort extends Error {
  readonly code = 'MODEL_ERROR';
  readonly reason: string;
  constructor(reason: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'AgentAbort';
    this.reason = reason;
  }
}

const f4 = (x: number) => x.toFixed(4);

export function formatAction(a: Action): string {
  if (a.action_type === 'stop') return 'stop';
  const w = a.strategy_weights;
  const parts = (['uncertainty', 'diversity', 'random'] as const).filter((k) => w[k] !== undefined).map((k) => `${k[0]}=${w[k]!.toFixed(2)}`);
  return `select b=${a.batch_size} ${parts.join(' ')}`;
}

function errorInfo(e: unknown): { code: string; reason: string; message: string } {
  const x = e as { code?: unknown; reason?: unknown; message?: unknown };
  return {
    code: typeof x?.code === 'string' ? x.code : 'ERROR',
    reason: typeof x?.reason === 'string' ? x.reason : 'unexpected',
    message: typeof x?.message === 'string' ? x.message : String(e),
  };
}

const OUTCOME: Record<ParseStatus, ParseOutcome> = { ok: 'ok', repaired: 'repaired', fallback: 'refused' };

/** Characters of a request: every message's text and tool calls, plus the tool definitions. */
export function requestChars(request: ChatRequest): number {
  let n = 0;
  for (const m of request.messages) {
    n += m.content?.length ?? 0;
    if (m.role === 'assistant' && m.tool_calls) n += JSON.stringify(m.tool_calls).length;
  }
  if (request.tools) n += JSON.stringify(request.tools).length;
  return n;
}

function transcriptOf(m: ChatMessage, systemRef: string): TranscriptMessage {
  if (m.role === 'system') return { role: 'system', ref: systemRef };
  if (m.role === 'user') return { role: 'user', content: m.content };
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
  return m.tool_calls ? { role: 'assistant', content: m.content, tool_calls: structuredClone(m.tool_calls) } : { role: 'assistant', content: m.content };
}

function addTokens(into: TokenTotals | null, u: TokenUsage | null): TokenTotals | null {
  if (!u) return into;
  const t = into ?? { prompt: 0, completion: 0, total: 0 };
  t.prompt += u.prompt_tokens;
  t.completion += u.completion_tokens;
  t.total += u.total_tokens;
  return t;
}

/** Runs one request through the model's `chat` (or `complete`, for a model without it), timed. */
async function callModel(model: ChatModel, request: ChatRequest, log: (l: string) => void, task: string): Promise<{ answer: ChatAnswer; ms: number }> {
  const t0 = performance.now();
  const options = {
    onRetry: ({ attempt, delayMs, error }: RetryInfo) => log(`[${task}] model call failed (${error}); retry ${attempt} in ${delayMs} ms`),
    onNotice: (message: string) => log(`[${task}] note: ${message}`),
  };
  let answer: ChatAnswer;
  if (model.chat) answer = await model.chat(request, options);
  else {
    const content = await model.complete(request.messages, options);
    answer = { content, toolCalls: [], finishReason: null, usage: null, attempts: 1, retries: [], structuredOutput: 'off' };
  }
  return { answer, ms: performance.now() - t0 };
}

/** What a step's model exchange decided. */
interface Decision {
  action: Action;
  status: ParseStatus;
  warnings: string[];
  outcome: ParseOutcome;
  calls: ModelCallRecord[];
  /** Tools mode: how the step's result goes back to the model. */
  reply?: { toolCallId: string | null; otherCalls: { id: string; content: string }[] };
}

function newCall(request: ChatRequest, fresh: readonly ChatMessage[], systemRef: string): ModelCallRecord {
  return {
    messages: fresh.map((m) => transcriptOf(m, systemRef)),
    prompt_chars: requestChars(request),
    answer: null,
    usage: null,
    latency_ms: 0,
    attempts: 0,
    retries: [],
    structured_output: request.responseSchema ? 'json_schema' : 'off',
    error: null,
  };
}

function fill(call: ModelCallRecord, answer: ChatAnswer, ms: number): void {
  call.answer = { content: answer.content, tool_calls: answer.toolCalls, finish_reason: answer.finishReason };
  call.usage = answer.usage;
  call.attempts = answer.attempts;
  call.retries = answer.retries;
  call.structured_output = answer.structuredOutput;
  call.latency_ms = Math.round(ms);
}

const clip = (text: string) => JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** Read-only turns (get_state only) allowed before a step's action, in tools mode. */
export const MAX_READ_TURNS = 2;

/** The JSON a take_action result carries back to the model (nothing beyond the step outcome). */
function stepResultText(r: StepOutcome, note: string | null): string {
  const out: Record<string, unknown> = { step: r.step, reward: r.reward, done: r.done, terminated: r.terminated, truncated: r.truncated, observation: r.observation };
  if (note) out.note = note;
  return JSON.stringify(out);
}

export async function runAgentEpisode(env: Environment, model: ChatModel, task: string, seed: number, o: AgentRunOptions): Promise<AgentEpisode> {
  const log = o.log ?? (() => {});
  const spec = getTask(task);
  if (!spec) throw new RangeError(`unknown task '${task}'`);
  const mode: AnswerMode = o.mode ?? 'json';
  if (mode === 'tools' && !model.chat) throw new AgentAbort('no_tool_support', `model ${model.model} has no chat() with tool calls; --mode tools needs it`);
  const maxFails = o.maxConsecutiveModelFailures ?? 3;
  const structured = mode === 'json' && o.structuredOutput !== false ? actionResponseSchema() : undefined;
  const tools = mode === 'tools' ? agentTools() : undefined;
  const t0 = performance.now();
  const result: AgentEpisode = {
    task_id: task,
    seed,
    episode_id: null,
    steps: [],
    total_reward: 0,
    final_performance: null,
    grade: null,
    error: null,
    fallbacks: 0,
    repaired: 0,
    model_failures: 0,
    system_prompt: task,
    wall_ms: 0,
    tokens: null,
  };
  const system = systemPrompt(spec, { mode });
  let consecutiveFailures = 0;

  /** A failed model call: counted, and the fallback is played, unless the endpoint refused outright. */
  const modelFailed = (e: unknown, call: ModelCallRecord): Decision => {
    if (!(e instanceof ModelError)) throw e;
    if (e.reason === 'rejected') throw new AgentAbort(e.reason, e.message, e);
    call.error = e.message;
    call.attempts = e.attempts;
    result.model_failures++;
    consecutiveFailures++;
    if (consecutiveFailures >= maxFails) {
      throw new ModelError('transport', `the model failed on ${consecutiveFailures} consecutive steps; giving up on task ${task} (${e.message})`, e.attempts, e);
    }
    return { action: structuredClone(FALLBACK_ACTION) as Action, status: 'fallback', warnings: [`${e.message}; playing the fallback action`], outcome: 'no_answer', calls: [call] };
  };

  const timed = async (request: ChatRequest, call: ModelCallRecord): Promise<ChatAnswer> => {
    const t = performance.now();
    try {
      const { answer, ms } = await callModel(model, request, log, task);
      fill(call, answer, ms);
      return answer;
    } finally {
      call.latency_ms = Math.round(performance.now() - t);
    }
  };

  try {
    const start = await env.reset({ task, seed, label: o.label });
    result.episode_id = start.episode_id;
    log(`[${task}] episode ${start.episode_id} seed ${seed}: perf ${f4(start.observation.current_performance)} budget ${start.observation.remaining_budget}${mode === 'tools' ? ' (tools)' : ''}`);
    let observation = start.observation;
    const history: HistoryEntry[] = [];
    // Tools mode: one conversation per episode; `sent` = messages already recorded in the transcript.
    const conversation: ChatMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: toolsOpening(observation, spec.maxSteps) },
    ];
    let sent = 0;
    let done = false;

    /** Default mode: one self-contained request per step (system prompt, episode so far, observation). */
    const decideJson = async (): Promise<Decision> => {
      const request: ChatRequest = {
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: userPrompt(observation, { step: result.steps.length, maxSteps: spec.maxSteps, history }) },
        ],
        responseSchema: structured,
      };
      const call = newCall(request, request.messages, task);
      let answer: ChatAnswer;
      try {
        answer = await timed(request, call);
      } catch (e) {
        return modelFailed(e, call);
      }
      consecutiveFailures = 0;
      const text = answer.content ?? '';
      const parsed = parseModelAnswer(text, spec, observation);
      if (parsed.status === 'fallback') parsed.warnings.push(`model answer was: ${clip(text)}`);
      return { ...parsed, outcome: OUTCOME[parsed.status], calls: [call] };
    };

    /** Tools mode: the model calls take_action (after at most MAX_READ_TURNS turns of get_state). */
    const decideTools = async (): Promise<Decision> => {
      const calls: ModelCallRecord[] = [];
      for (let readTurns = 0; ; readTurns++) {
        const request: ChatRequest = { messages: [...conversation], tools };
        const call = newCall(request, conversation.slice(sent), task);
        sent = conversation.length;
        calls.push(call);
        let answer: ChatAnswer;
        try {
          answer = await timed(request, call);
        } catch (e) {
          const d = modelFailed(e, call);
          return { ...d, calls, reply: { toolCallId: null, otherCalls: [] } };
        }
        consecutiveFailures = 0;
        conversation.push(answer.toolCalls.length > 0 ? { role: 'assistant', content: answer.content, tool_calls: answer.toolCalls } : { role: 'assistant', content: answer.content });
        sent = conversation.length; // the model's own answer is in this call's record
        const acts = answer.toolCalls.filter((c) => c.function.name === 'take_action');
        const reads = answer.toolCalls.filter((c) => c.function.name === 'get_state');
        const unknown = answer.toolCalls.filter((c) => !(AGENT_TOOL_NAMES as readonly string[]).includes(c.function.name));
        const unknownNote = (c: ToolCall) => `unknown tool ${JSON.stringify(c.function.name)} (tools: ${AGENT_TOOL_NAMES.join(', ')})`;
        if (acts.length === 0 && reads.length > 0 && readTurns < MAX_READ_TURNS) {
          // A read-only turn: answer it and ask again.
          const state = JSON.stringify(await env.state());
          for (const c of answer.toolCalls) {
            conversation.push({ role: 'tool', tool_call_id: c.id, content: c.function.name === 'get_state' ? state : JSON.stringify({ error: `not executed: ${unknownNote(c)}` }) });
          }
          continue;
        }
        const otherCalls: { id: string; content: string }[] = [];
        const stateText = reads.length > 0 ? JSON.stringify(await env.state()) : '';
        for (const c of reads) otherCalls.push({ id: c.id, content: stateText });
        for (const c of unknown) otherCalls.push({ id: c.id, content: JSON.stringify({ error: `not executed: ${unknownNote(c)}` }) });
        const warnings: string[] = unknown.map((c) => `${unknownNote(c)} ignored`);
        if (acts.length > 0) {
          const first = acts[0];
          const parsed = parseModelAnswer(first.function.arguments, spec, observation);
          if (parsed.status === 'fallback') parsed.warnings.push(`take_action arguments were: ${clip(first.function.arguments)}`);
          if (acts.length > 1) {
            warnings.push(`${acts.length} take_action calls in one turn (parallel tool calls); only the first was played`);
            for (const c of acts.slice(1)) otherCalls.push({ id: c.id, content: JSON.stringify({ error: 'not executed: one take_action per turn; only the first call of this turn was played' }) });
          }
          const all = [...warnings, ...parsed.warnings];
          const status: ParseStatus = parsed.status === 'fallback' ? 'fallback' : all.length > 0 ? 'repaired' : 'ok';
          return { action: parsed.action, status, warnings: all, outcome: OUTCOME[status], calls, reply: { toolCallId: first.id, otherCalls } };
        }
        if (answer.toolCalls.length === 0) {
          // Text instead of a tool call: read it as the default mode would.
          const text = answer.content ?? '';
          const parsed = parseModelAnswer(text, spec, observation);
          if (parsed.status === 'fallback') parsed.warnings.push(`model answer was: ${clip(text)}`);
          else parsed.warnings.unshift('answered in text instead of a take_action call');
          const status: ParseStatus = parsed.status === 'fallback' ? 'fallback' : 'repaired';
          return { action: parsed.action, status, warnings: parsed.warnings, outcome: OUTCOME[status], calls, reply: { toolCallId: null, otherCalls } };
        }
        const why = reads.length > 0 ? `no take_action call after ${MAX_READ_TURNS} read-only turns` : 'no take_action call';
        return {
          action: structuredClone(FALLBACK_ACTION) as Action,
          status: 'fallback',
          warnings: [...warnings, `${why}; playing the fallback action`],
          outcome: 'refused',
          calls,
          reply: { toolCallId: null, otherCalls },
        };
      }
    };

    while (!done) {
      const d = mode === 'tools' ? await decideTools() : await decideJson();
      const llmMs = d.calls.reduce((s, c) => s + c.latency_ms, 0);
      if (d.status === 'fallback') result.fallbacks++;
      if (d.status === 'repaired') result.repaired++;
      for (const w of d.warnings) log(`[${task}] warning: ${w}`);

      const r = await env.step(d.action);
      result.total_reward += r.reward;
      observation = r.observation;
      done = r.done;
      history.push({ step: r.step, action: d.action, outcome: d.outcome, reward: r.reward, observation });
      if (d.reply && !done) {
        // The step's result goes back as the answer to the call that acted, or as a user message.
        const note = d.status === 'ok' ? null : `${d.warnings.join('; ')}; action played: ${JSON.stringify(d.action)}`;
        for (const c of d.reply.otherCalls) conversation.push({ role: 'tool', tool_call_id: c.id, content: c.content });
        if (d.reply.toolCallId !== null) conversation.push({ role: 'tool', tool_call_id: d.reply.toolCallId, content: stepResultText(r, note) });
        else conversation.push({ role: 'user', content: `Result of the action played (${note ?? 'ok'}): ${stepResultText(r, null)}\nAct with the take_action tool.` });
      }
      let tokens: TokenTotals | null = null;
      for (const c of d.calls) {
        tokens = addTokens(tokens, c.usage);
        result.tokens = addTokens(result.tokens, c.usage);
      }
      const last = d.calls[d.calls.length - 1];
      result.steps.push({
        step: r.step,
        action: d.action,
        status: d.status,
        warnings: d.warnings,
        parse: { outcome: d.outcome, reason: d.warnings.length > 0 ? d.warnings.join('; ') : null },
        reward: r.reward,
        done: r.done,
        terminated: r.terminated,
        truncated: r.truncated,
        observation,
        llm_ms: Math.round(llmMs),
        model_calls: d.calls,
        tokens,
        prompt_chars: last.prompt_chars,
      });
      const size = `prompt ${last.prompt_chars} chars${last.usage ? `/${last.usage.prompt_tokens} tok` : ''}${d.calls.length > 1 ? `, ${d.calls.length} calls` : ''}`;
      log(
        `[${task}] step ${String(r.step).padStart(2)} ${formatAction(d.action).padEnd(32)} ${d.status.padEnd(8)} reward ${r.reward >= 0 ? ' ' : ''}${f4(r.reward)}  perf ${f4(observation.current_performance)}  budget ${String(observation.remaining_budget).padStart(3)}  noise ${observation.noise_estimate.toFixed(3)}${r.done ? '  done' : ''}  (${(llmMs / 1000).toFixed(1)}s, ${size})`,
      );
    }
    result.final_performance = observation.current_performance;
    const g = await env.grade();
    result.grade = { task_id: g.task_id, score: g.score, passed: g.passed, breakdown: g.breakdown };
    log(`[${task}] graded: score ${g.score} ${g.passed ? 'PASS' : 'FAIL'}  total reward ${f4(result.total_reward)}  (${result.fallbacks} fallback, ${result.repaired} repaired, ${result.model_failures} model failures)`);
  } catch (e) {
    if (e instanceof AgentAbort) throw e;
    result.error = errorInfo(e);
    log(`[${task}] episode not finished: [${result.error.code}/${result.error.reason}] ${result.error.message}`);
  }
  result.wall_ms = Math.round(performance.now() - t0);
  return result;
}

function stats(xs: readonly number[]): { min: number; mean: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  return xs.length === 0 ? { min: 0, mean: 0, max: 0 } : { min, mean: Math.round((sum / xs.length) * 10) / 10, max };
}

function promptSize(calls: readonly ModelCallRecord[]): PromptSize {
  const withUsage = calls.filter((c) => c.usage !== null);
  return {
    calls: calls.length,
    chars: stats(calls.map((c) => c.prompt_chars)),
    tokens: withUsage.length === 0 ? null : stats(withUsage.map((c) => c.usage!.prompt_tokens)),
  };
}

/** The run's totals: steps, calls, tokens, cost, prompt size, parse outcomes. */
export function summariseAgentRun(episodes: readonly AgentEpisode[], wallMs: number, price?: AgentRunOptions['price']): AgentSummary {
  const calls = episodes.flatMap((e) => e.steps.flatMap((s) => s.model_calls));
  const parse: Record<ParseOutcome, number> = { ok: 0, repaired: 0, refused: 0, no_answer: 0 };
  for (const e of episodes) for (const s of e.steps) parse[s.parse.outcome]++;
  const withUsage = calls.filter((c) => c.usage !== null);
  let tokens: AgentSummary['tokens'] = null;
  if (withUsage.length > 0) {
    const t = withUsage.reduce<TokenTotals | null>((acc, c) => addTokens(acc, c.usage), null)!;
    tokens = { ...t, calls_with_usage: withUsage.length, calls_without_usage: calls.length - withUsage.length };
  }
  let cost: AgentSummary['cost'] = null;
  if (tokens && withUsage.length === calls.length && withUsage.every((c) => c.usage!.cost_usd !== undefined)) {
    cost = { usd: withUsage.reduce((s, c) => s + c.usage!.cost_usd!, 0), basis: 'endpoint' };
  } else if (tokens && price) {
    cost = { usd: (tokens.prompt * price.prompt + tokens.completion * price.completion) / 1e6, basis: 'price' };
  }
  const byTask: Record<string, PromptSize> = {};
  for (const task of new Set(episodes.map((e) => e.task_id))) {
    byTask[task] = promptSize(episodes.filter((e) => e.task_id === task).flatMap((e) => e.steps.flatMap((s) => s.model_calls)));
  }
  const structured: Record<StructuredOutput, number> = { json_schema: 0, refused: 0, off: 0 };
  for (const c of calls) structured[c.structured_output]++;
  return {
    episodes: episodes.length,
    graded: episodes.filter((e) => e.grade !== null).length,
    unfinished: episodes.filter((e) => e.grade === null).length,
    steps: episodes.reduce((s, e) => s + e.steps.length, 0),
    model_calls: calls.length,
    retries: calls.reduce((s, c) => s + c.retries.length, 0),
    wall_ms: Math.round(wallMs),
    parse,
    tokens,
    cost,
    structured_output: structured,
    prompt_size: promptSize(calls),
    prompt_size_by_task: byTask,
  };
}

/** A graded agent episode in the eval command's terms, for the shared per-task summary. */
function asEpisodeResult(e: AgentEpisode): EpisodeResult {
  return {
    task_id: e.task_id,
    seed: e.seed,
    episode_id: e.episode_id ?? '',
    steps: e.steps.length,
    total_reward: e.total_reward,
    final_performance: e.final_performance ?? Number.NaN,
    score: e.grade!.score,
    passed: e.grade!.passed,
    breakdown: e.grade!.breakdown,
  };
}

export async function runAgent(env: Environment, model: ChatModel, o: AgentRunOptions): Promise<AgentReport> {
  const seeds = o.seeds && o.seeds.length > 0 ? [...o.seeds] : [o.seed ?? 42];
  const t0 = performance.now();
  const episodes: AgentEpisode[] = [];
  const systemPrompts: Record<string, string> = {};
  for (const task of o.tasks) {
    const spec = getTask(task);
    if (!spec) throw new RangeError(`unknown task '${task}'`);
    systemPrompts[task] = systemPrompt(spec, { mode: o.mode ?? 'json' });
    for (const seed of seeds) episodes.push(await runAgentEpisode(env, model, task, seed, o));
  }
  const graded = episodes.filter((e) => e.grade !== null);
  return {
    model: model.model,
    transport: env.transport,
    seed: seeds[0],
    seeds,
    tasks: o.tasks.filter((t) => graded.some((e) => e.task_id === t)).map((t) => summarise(t, graded.filter((e) => e.task_id === t).map(asEpisodeResult))),
    episodes,
    mean_score: graded.length === episodes.length && graded.length > 0 ? graded.reduce((s, e) => s + e.grade!.score, 0) / graded.length : null,
    system_prompts: systemPrompts,
    mode: o.mode ?? 'json',
    tools: o.mode === 'tools' ? agentTools() : null,
    summary: summariseAgentRun(episodes, performance.now() - t0, o.price),
  };
}
