/**
 * The language model behind the agent: any OpenAI-compatible chat-completions endpoint, reached
 * with the `openai` package. The package's own retries are turned off so that retry policy —
 * which errors, how many times, how long to wait — is explicit and logged here.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: string;
}

export interface ChatModel {
  readonly model: string;
  /** `onRetry` (per call) is told about each retry, in addition to the model's own listener. */
  complete(messages: ChatMessage[], options?: { onRetry?: (info: RetryInfo) => void }): Promise<string>;
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

export class OpenAIChatModel implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly o: Required<Omit<ModelOptions, 'baseURL' | 'onRetry'>> & Pick<ModelOptions, 'onRetry'>;

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

  async complete(messages: ChatMessage[], options: { onRetry?: (info: RetryInfo) => void } = {}): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.client.chat.completions.create({
          model: this.model,
          messages,
          temperature: this.o.temperature,
          max_tokens: this.o.maxTokens,
        });
        const text = r.choices?.[0]?.message?.content;
        if (typeof text !== 'string' || text.trim() === '') {
          throw new ModelError('empty_answer', 'the model returned no text', attempt);
        }
        return text;
      } catch (e) {
        if (e instanceof ModelError) throw e;
        if (!isTransient(e)) throw new ModelError('rejected', `the model endpoint refused the request (${describe(e)})`, attempt, e);
        if (attempt > this.o.maxRetries) {
          throw new ModelError('transport', `the model endpoint failed ${attempt} times; last error: ${describe(e)}`, attempt, e);
        }
        const delayMs = Math.min(this.o.backoffMs * 2 ** (attempt - 1), this.o.maxBackoffMs);
        const info = { attempt, delayMs, error: describe(e) };
        this.o.onRetry?.(info);
        options.onRetry?.(info);
        await sleep(delayMs);
      }
    }
  }
}
