/**
 * The language model behind the agent: any OpenAI-compatible chat-completions endpoint, reached
 * with the `openai` package. The package's own retries are turned off so that retry policy —
 * which errors, how many times, how long to wait — is explicit and logged here.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

/** A tool call as the chat-completions API carries it (`arguments` is the model's raw JSON text). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function tool offered to the model (chat-completions `tools`). */
export interface FunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: string;
}

/** Token counts as the endpoint reported them (`usage`); `cost_usd` only when the endpoint prices the call itself. */
export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd?: number;
}

/**
 * Structured output on one call: `json_schema` — requested and accepted; `refused` — the endpoint
 * refused `response_format` (on this call or an earlier one), so the call went without it and the
 * free-text parser reads the answer; `off` — not requested.
 */
export type StructuredOutput = 'json_schema' | 'refused' | 'off';

export interface ChatRequest {
  messages: ChatMessage[];
  /** Function tools the model may call. */
  tools?: FunctionTool[];
  /** Ask for a JSON answer matching this schema (`response_format` json_schema) where supported. */
  responseSchema?: { name: string; schema: Record<string, unknown> };
}

export interface ChatAnswer {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: TokenUsage | null;
  /** Attempts made (1 + retries). */
  attempts: number;
  retries: RetryInfo[];
  structuredOutput: StructuredOutput;
}

export interface CallOptions {
  onRetry?: (info: RetryInfo) => void;
  /** Told once when the endpoint refuses structured output and the call is repeated without it. */
  onNotice?: (message: string) => void;
}

export interface ChatModel {
  readonly model: string;
  /** `onRetry` (per call) is told about each retry, in addition to the model's own listener. */
  complete(messages: ChatMessage[], options?: CallOptions): Promise<string>;
  /**
   * The full exchange: tool calls, token usage, structured output. Optional, so that a model
   * written against `complete` alone still runs the default mode (without usage figures).
   */
  chat?(request: ChatRequest, options?: CallOptions): Promise<ChatAnswer>;
}

export interface ModelOptions {
  baseURL?: string;
  apiKey: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Per-attempt timeout in ms. */
  timeoutMs?: number;
  /** Retries after the first attempt on transient failures (default 3). */
  maxRetries?: number;
  /** First backoff delay in ms, doubled each retry (default 1000), capped by maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Told about each retry (for the log). */
  onRetry?: (info: RetryInfo) => void;
}

export class ModelError extends Error {
  readonly code = 'MODEL_ERROR';
  readonly reason: 'transport' | 'rejected' | 'empty_answer';
  readonly attempts: number;
  constructor(reason: ModelError['reason'], message: string, attempts: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ModelError';
    this.reason = reason;
    this.attempts = attempts;
  }
}

/** Transient: no answer (connection, timeout) or a status that says "try again later". */
export function isTransient(e: unknown): boolean {
  if (e instanceof APIConnectionError || e instanceof APIConnectionTimeoutError) return true;
  if (e instanceof APIError) {
    const s = e.status;
    return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

function describe(e: unknown): string {
  if (e instanceof APIConnectionTimeoutError) return 'timeout';
  if (e instanceof APIError && e.status !== undefined) return `HTTP ${e.status}: ${e.message}`;
  return (e as Error)?.message ?? String(e);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function usageOf(u: unknown): TokenUsage | null {
  const x = u as Record<string, unknown> | null | undefined;
  if (!x || typeof x.prompt_tokens !== 'number' || typeof x.completion_tokens !== 'number') return null;
  const usage: TokenUsage = {
    prompt_tokens: x.prompt_tokens,
    completion_tokens: x.completion_tokens,
    total_tokens: typeof x.total_tokens === 'number' ? x.total_tokens : x.prompt_tokens + x.completion_tokens,
  };
  // Some gateways (OpenRouter) price the call themselves.
  if (typeof x.cost === 'number' && Number.isFinite(x.cost)) usage.cost_usd = x.cost;
  return usage;
}

function toolCallsOf(v: unknown): ToolCall[] {
  if (!Array.isArray(v)) return [];
  return v.map((c, i) => {
    const fn = (c as { function?: { name?: unknown; arguments?: unknown } })?.function;
    return {
      id: typeof (c as { id?: unknown })?.id === 'string' ? (c as { id: string }).id : `call_${i}`,
      type: 'function' as const,
      function: {
        name: typeof fn?.name === 'string' ? fn.name : '',
        arguments: typeof fn?.arguments === 'string' ? fn.arguments : JSON.stringify(fn?.arguments ?? null),
      },
    };
  });
}

/** A refusal that may be about `response_format` (bad request / unprocessable), not about the key or model. */
function mayBeFormatRefusal(e: unknown): boolean {
  return e instanceof APIError && (e.status === 400 || e.status === 422);
}

export class OpenAIChatModel implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly o: Required<Omit<ModelOptions, 'baseURL' | 'onRetry'>> & Pick<ModelOptions, 'onRetry'>;
  /** Set once the endpoint refused `response_format`: later calls go without it. */
  private structuredRefused = false;

  constructor(options: ModelOptions) {
    this.model = options.model;
    this.o = {
      apiKey: options.apiKey,
      model: options.model,
      temperature: options.temperature ?? 0,
      maxTokens: options.maxTokens ?? 200,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 3,
      backoffMs: options.backoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      onRetry: options.onRetry,
    };
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, maxRetries: 0, timeout: this.o.timeoutMs });
  }

  async complete(messages: ChatMessage[], options: CallOptions = {}): Promise<string> {
    const a = await this.chat({ messages }, options);
    if (a.content === null || a.content.trim() === '') throw new ModelError('empty_answer', 'the model returned no text', a.attempts);
    return a.content;
  }

  async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatAnswer> {
    const retries: RetryInfo[] = [];
    for (let attempt = 1; ; attempt++) {
      const structured = request.responseSchema !== undefined && !this.structuredRefused;
      try {
        const body: Record<string, unknown> = {
          model: this.model,
          messages: request.messages,
          temperature: this.o.temperature,
          max_tokens: this.o.maxTokens,
        };
        if (request.tools && request.tools.length > 0) body.tools = request.tools;
        if (structured) {
          body.response_format = { type: 'json_schema', json_schema: { name: request.responseSchema!.name, schema: request.responseSchema!.schema, strict: false } };
        }
        const r = await this.client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
        const choice = r.choices?.[0];
        const text = choice?.message?.content;
        const toolCalls = toolCallsOf(choice?.message?.tool_calls);
        const content = typeof text === 'string' ? text : null;
        if (toolCalls.length === 0 && (content === null || content.trim() === '')) {
          throw new ModelError('empty_answer', 'the model returned no text and no tool call', attempt);
        }
        return {
          content,
          toolCalls,
          finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
          usage: usageOf(r.usage),
          attempts: attempt,
          retries,
          structuredOutput: request.responseSchema === undefined ? 'off' : structured ? 'json_schema' : 'refused',
        };
      } catch (e) {
        if (e instanceof ModelError) throw e;
        if (structured && mayBeFormatRefusal(e)) {
          // Many OpenAI-compatible servers do not know json_schema output: ask again without it
          // (a genuine bad request then fails the same way and is reported as such).
          this.structuredRefused = true;
          options.onNotice?.(`the endpoint refused structured output (${describe(e)}); asking without response_format, the answer is parsed from text`);
          attempt--;
          continue;
        }
        if (!isTransient(e)) throw new ModelError('rejected', `the model endpoint refused the request (${describe(e)})`, attempt, e);
        if (attempt > this.o.maxRetries) {
          throw new ModelError('transport', `the model endpoint failed ${attempt} times; last error: ${describe(e)}`, attempt, e);
        }
        const delayMs = Math.min(this.o.backoffMs * 2 ** (attempt - 1), this.o.maxBackoffMs);
        const info = { attempt, delayMs, error: describe(e) };
        retries.push(info);
        this.o.onRetry?.(info);
        options.onRetry?.(info);
        await sleep(delayMs);
      }
    }
  }
}
