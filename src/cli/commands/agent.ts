import type { Command } from 'commander';
import { resolveAgentSettings } from '../../agent/config.ts';
import { OpenAIChatModel } from '../../agent/model.ts';
import { runAgent, type AgentReport } from '../../agent/runner.ts';
import { openEnvironment } from '../../client/connect.ts';
import { HttpClient } from '../../client/http.ts';
import { CLASSIC_TASK_IDS } from '../../env/tasks.ts';
import { parseTasks } from '../../eval/run.ts';
import { API_KEY_ENV, serverApiKey } from '../api-key.ts';
import { UsageError, parseArgument, reportError } from '../errors.ts';

export interface AgentCliOptions {
  task?: string;
  seed: string;
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
    .option('--task <ids>', `task id(s), comma-separated (default: ${CLASSIC_TASK_IDS.join(', ')})`)
    .option('--seed <n>', 'episode seed', '42')
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
    .option('--json', 'print the full report as JSON on stdout')
    .option('--quiet', 'no per-step log lines on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  MODEL_NAME=gpt-4o-mini OPENAI_API_KEY=sk-… dataselectenv agent --task hard\n  dataselectenv agent --base-url http://localhost:11434/v1 --model llama3.1 --api-key ollama --url http://localhost:7860',
    )
    .action(async (opts: AgentCliOptions) => {
      try {
        await runAgentCommand(opts);
      } catch (e) {
        reportError(e, opts.json);
      }
    });
}

export function formatAgentReport(r: AgentReport): string {
  const lines = [`agent ${r.model} · ${r.transport} · seed ${r.seed}`];
  for (const e of r.episodes) {
    if (e.grade) {
      lines.push(
        `${e.task_id.padEnd(7)} score ${e.grade.score.toFixed(4)} ${e.grade.passed ? 'PASS' : 'FAIL'}  steps ${e.steps.length}  total reward ${e.total_reward.toFixed(4)}  fallbacks ${e.fallbacks}  repaired ${e.repaired}`,
      );
    } else {
      lines.push(`${e.task_id.padEnd(7)} not finished: [${e.error?.code}/${e.error?.reason}] ${e.error?.message}`);
    }
  }
  if (r.mean_score !== null) lines.push(`mean score ${r.mean_score.toFixed(4)}`);
  return `${lines.join('\n')}\n`;
}

export async function runAgentCommand(opts: AgentCliOptions): Promise<void> {
  const settings = resolveAgentSettings({ baseUrl: opts.baseUrl, model: opts.model, apiKey: opts.apiKey, url: opts.url });
  const tasks = opts.task ? parseArgument(() => parseTasks(opts.task!)) : [...CLASSIC_TASK_IDS];
  const seed = num(opts.seed, '--seed', { integer: true });
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
    report = await runAgent(env, model, { tasks, seed, log, label: `agent:${settings.model}`.slice(0, 64) });
  } finally {
    await env.close();
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatAgentReport(report));
  if (report.episodes.some((e) => e.grade === null)) process.exitCode = 1;
}
