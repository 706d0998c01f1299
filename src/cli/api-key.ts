/** The API key for a server started with API_KEYS: the flag, else DATASELECTENV_API_KEY (empty = none). */
export const API_KEY_ENV = 'DATASELECTENV_API_KEY';

export function serverApiKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = flag ?? env[API_KEY_ENV];
  return key === undefined || key === '' ? undefined : key;
}

/** Headers that carry the key (none without one). */
export function apiKeyHeaders(key: string | undefined): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}
