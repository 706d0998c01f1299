import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveAgentSettings } from '../../agent/config.ts';
import { OpenAIChatModel } from '../../agent/model.ts';
import type { AnswerMode } from '../../agent/prompt.ts';
import { runAgent, type AgentReport } from '../../agent/runner.ts';
import { openEnvironment } from '../../client/connect.ts';
import { HttpClient } from '../../client/http.ts';
import { CLASSIC_TASK_IDS } from '../../env/tasks.ts';
import { parseSeeds, parseTasks } from '../../eval/run.ts';
import { formatReport } from './eval.ts';
import { API_KEY_ENV, serverApiKey } from '../api-key.ts';
import { UsageError, parseArgument, reportError } from '../errors.ts';

export interface AgentCliOptions {
  task?: string;
  tasks?: string;
  seed?: string;
  seeds?: string;
  price?: string;
  out?: string;
  mode: string;
  structuredOutput: boolean;
  url?: string;
  envApiKey?: string;
  transport: string;
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  temperature: string;
  maxTokens: string;
  timeout: string;
  retries: string;
  backoff: string;
  json?: boolean;
  quiet?: boolean;
}

function num(v: string, flag: string, { min = 0, integer = false } = {}): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${v}'`);
  }
  return n;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run an LLM agent (any OpenAI-compatible endpoint) on the tasks and grade it')
    .option('--tasks <ids>', `task ids, comma-separated, as eval (default: ${CLASSIC_TASK_IDS.join(', ')})`)
    .option('--task <ids>', 'the same as --tasks (the original runner\'s name)')
    .option('--seeds <spec>', 'seeds: N, A..B, or a comma list of them, as eval (every task on each); the report has mean grade ± 95% CI and pass rate per task')
    .option('--seed <n>', 'one episode seed (default 42, the original\'s); use --seeds for several')
    .option('--url <url>', 'environment server (default: ENV_HOST, else in process)')
    .option('--transport <t>', 'with a server: ws (as the original runner) or http', 'ws')
    .option('--env-api-key <key>', `API key of an environment server started with API_KEYS (env ${API_KEY_ENV}; --api-key is the model's)`)
    .option('--base-url <url>', 'OpenAI-compatible API base URL (default: API_BASE_URL, OPENAI_BASE_URL)')
    .option('--model <name>', 'model name (default: MODEL_NAME)')
    .option('--api-key <key>', 'API key (default: HF_TOKEN, OPENAI_API_KEY)')
    .option('--temperature <t>', 'sampling temperature', '0')
    .option('--max-tokens <n>', 'answer length limit', '200')
    .option('--timeout <ms>', 'per-request timeout (model and environment server)', '60000')
    .option('--retries <n>', 'retries of a model call on transport errors / 429 / 5xx', '3')
    .option('--backoff <ms>', 'first retry delay, doubled each retry', '1000')
    .option('--mode <m>', 'json: the model answers one JSON action (structured output where the endpoint supports it); tools: it calls take_action / get_state (function calling, tools from the MCP tool list)', 'json')
    .option('--no-structured-output', 'json mode: do not ask for response_format json_schema (the answer is parsed from text)')
    .option('--price <in,out>', 'USD per million prompt and completion tokens, for the cost estimate (e.g. 0.15,0.60)')
    .option('--out <file>', 'write the full report (with the transcript) as JSON')
    .option('--json', 'print the full report (with the transcript of every step) as JSON on stdout')
    .option('--quiet', 'no per-step log lines on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  MODEL_NAME=gpt-4o-mini OPENAI_API_KEY=sk-… dataselectenv agent --task hard\n  dataselectenv agent --tasks curation-easy,curation-hard --seeds 0..19 --price 0.15,0.60 --out agent.json\n  dataselectenv agent --base-url http://localhost:11434/v1 --model llama3.1 --api-key ollama --url http://localhost:7860',
    )
    .action(async (opts: AgentCliOptions) => {
      try {
        await runAgentCommand(opts);
      } catch (e) {
        reportError(e, opts.json);
      }
    });
}

const kilo = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));

export function formatAgentReport(r: AgentReport): string {
  const w = Math.max(8, ...r.episodes.map((e) => e.task_id.length + 1));
  const lines = [`agent ${r.model} · ${r.transport} · ${r.mode} mode · ${r.seeds.length === 1 ? `seed ${r.seed}` : `${r.seeds.length} seeds`}`];
  for (const e of r.episodes) {
    const head = `${e.task_id.padEnd(w)}${r.seeds.length > 1 ? ` seed ${String(e.seed).padEnd(5)}` : ''}`;
    if (e.grade) {
      lines.push(
        `${head} score ${e.grade.score.toFixed(4)} ${e.grade.passed ? 'PASS' : 'FAIL'}  steps ${e.steps.length}  total reward ${e.total_reward.toFixed(4)}  fallbacks ${e.fallbacks}  repaired ${e.repaired}`,
      );
    } else {
      lines.push(`${head} not finished: [${e.error?.code}/${e.error?.reason}] ${e.error?.message}`);
    }
  }
  if (r.mean_score !== null) lines.push(`mean score ${r.mean_score.toFixed(4)}`);
  if (r.tasks.length > 0) {
    // The eval command's table (mean grade, 95% CI, pass rate, …) over the graded episodes.
    const table = formatReport({ policy: `agent:${r.model}`, transport: r.transport, seeds: r.seeds, tasks: r.tasks, episodes: [] }).split('\n').slice(1, -1);
    lines.push('', ...table);
  }
  const s = r.summary;
  const tok = s.tokens ? `tokens ${kilo(s.tokens.prompt)} prompt + ${kilo(s.tokens.completion)} completion${s.tokens.calls_without_usage > 0 ? ` (${s.tokens.calls_without_usage} calls without usage)` : ''}` : 'tokens not reported';
  const cost = s.cost ? `  cost $${s.cost.usd.toFixed(4)} (${s.cost.basis === 'endpoint' ? 'from the endpoint' : 'from --price'})` : '';
  lines.push(
    `${s.steps} steps, ${s.model_calls} model calls (${s.retries} retries), ${(s.wall_ms / 1000).toFixed(1)} s; answers: ${s.parse.ok} ok, ${s.parse.repaired} repaired, ${s.parse.refused} refused, ${s.parse.no_answer} no answer`,
    ...(s.structured_output.refused > 0 ? [`structured output refused by the endpoint on ${s.structured_output.refused} calls: answers parsed from text`] : []),
    `${tok}${cost}; prompt ${s.prompt_size.chars.min}–${s.prompt_size.chars.max} chars (mean ${s.prompt_size.chars.mean})${s.prompt_size.tokens ? `, ${s.prompt_size.tokens.min}–${s.prompt_size.tokens.max} tokens` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function parsePrice(spec: string): { prompt: number; completion: number } {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*,\s*([0-9]*\.?[0-9]+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--price must be IN,OUT in USD per million tokens (e.g. 0.15,0.60), got '${spec}'`);
  return { prompt: Number(m[1]), completion: Number(m[2]) };
}

export async function runAgentCommand(opts: AgentCliOptions): Promise<void> {
  const settings = resolveAgentSettings({ baseUrl: opts.baseUrl, model: opts.model, apiKey: opts.apiKey, url: opts.url });
  if (opts.task !== undefined && opts.tasks !== undefined) throw new UsageError('give --tasks or --task, not both');
  if (opts.seed !== undefined && opts.seeds !== undefined) throw new UsageError('give --seeds or --seed, not both');
  const taskSpec = opts.tasks ?? opts.task;
  const tasks = taskSpec !== undefined ? parseArgument(() => parseTasks(taskSpec)) : [...CLASSIC_TASK_IDS];
  const seeds = opts.seeds !== undefined ? parseArgument(() => parseSeeds(opts.seeds!)) : [opts.seed === undefined ? 42 : num(opts.seed, '--seed', { integer: true })];
  const price = opts.price === undefined ? undefined : parsePrice(opts.price);
  if (opts.mode !== 'json' && opts.mode !== 'tools') throw new UsageError(`--mode must be json or tools, got '${opts.mode}'`);
  const mode: AnswerMode = opts.mode;
  const timeoutMs = num(opts.timeout, '--timeout', { min: 1 });
  if (opts.transport !== 'ws' && opts.transport !== 'http') throw new UsageError(`--transport must be ws or http, got '${opts.transport}'`);
  const log = opts.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const model = new OpenAIChatModel({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    model: settings.model,
    temperature: num(opts.temperature, '--temperature'),
    maxTokens: num(opts.maxTokens, '--max-tokens', { min: 1, integer: true }),
    timeoutMs,
    maxRetries: num(opts.retries, '--retries', { integer: true }),
    backoffMs: num(opts.backoff, '--backoff'),
  });
  log(`model ${settings.model} (${settings.sources.model}) at ${settings.baseURL ?? 'api.openai.com'} (${settings.sources.baseURL}); environment: ${settings.envUrl ?? 'in process'}`);
  const envApiKey = serverApiKey(opts.envApiKey);
  if (settings.envUrl) {
    // Fail fast with a clear message rather than on the first reset (the original checked /health too).
    const h = await new HttpClient(settings.envUrl, { timeoutMs, apiKey: envApiKey }).health();
    log(`server ${settings.envUrl}: ${h.status}${h.version ? ` (version ${h.version})` : ''}`);
  }
  const env = openEnvironment({
    url: settings.envUrl,
    transport: settings.envUrl ? (opts.transport as 'ws' | 'http') : undefined,
    timeoutMs,
    apiKey: envApiKey,
  });
  let report: AgentReport;
  try {
    report = await runAgent(env, model, { tasks, seeds, log, price, mode, structuredOutput: opts.structuredOutput !== false, label: `agent:${settings.model}`.slice(0, 64) });
  } finally {
    await env.close();
  }
  if (opts.out) writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatAgentReport(report));
  if (report.episodes.some((e) => e.grade === null)) process.exitCode = 1;
}
