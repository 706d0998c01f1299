/**
 * Where the agent's settings come from: flags first, then environment variables — the original
 * runner's names (API_BASE_URL, MODEL_NAME, HF_TOKEN, ENV_HOST) ahead of the openai package's
 * (OPENAI_BASE_URL, OPENAI_API_KEY), since a user who set the former did so for this tool.
 */
export interface AgentFlags {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  url?: string;
}

export interface AgentSettings {
  baseURL: string | undefined;
  model: string;
  apiKey: string;
  /** Environment server, or undefined for in process. */
  envUrl: string | undefined;
  /** Where each value came from, for the start-up log line (never the key itself). */
  sources: Record<'baseURL' | 'model' | 'apiKey' | 'envUrl', string>;
}

export class ConfigError extends Error {
  readonly code = 'USAGE_ERROR';
  readonly reason = 'missing_setting';
}

type Env = Record<string, string | undefined>;

function pick(flag: string | undefined, flagName: string, env: Env, names: string[]): [string | undefined, string] {
  if (flag !== undefined && flag !== '') return [flag, flagName];
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return [v, n];
  }
  return [undefined, 'default'];
}

export function resolveAgentSettings(flags: AgentFlags, env: Env = process.env): AgentSettings {
  const [baseURL, sBase] = pick(flags.baseUrl, '--base-url', env, ['API_BASE_URL', 'OPENAI_BASE_URL']);
  const [model, sModel] = pick(flags.model, '--model', env, ['MODEL_NAME']);
  const [apiKey, sKey] = pick(flags.apiKey, '--api-key', env, ['HF_TOKEN', 'OPENAI_API_KEY']);
  const [envUrl, sEnv] = pick(flags.url, '--url', env, ['ENV_HOST']);
  if (!model) throw new ConfigError('no model name: pass --model or set MODEL_NAME');
  if (!apiKey) throw new ConfigError('no API key: pass --api-key or set HF_TOKEN or OPENAI_API_KEY');
  return {
    baseURL,
    model,
    apiKey,
    envUrl,
    sources: { baseURL: baseURL ? sBase : 'openai default', model: sModel, apiKey: sKey, envUrl: envUrl ? sEnv : 'in process' },
  };
}
