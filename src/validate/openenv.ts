/**
 * OpenEnv's runtime validation (`openenv validate --url`, docs/protocol.md §9), reimplemented so any
 * server can be checked without Python: five requests with a 5 s timeout each, six required
 * criteria, all must pass. Also derives the profile and mode the validator would report.
 */

export interface Criterion {
  id: string;
  description: string;
  passed: boolean;
  /** What was seen (for the failure line). */
  detail: string;
}

export interface ValidationReport {
  url: string;
  passed: boolean;
  criteria: Criterion[];
  /** `openenv-http/1.x` when info.version starts with "1.", else `openenv-http/<version>` or null. */
  profile: string | null;
  /** `simulation` when /reset is listed, `production` otherwise, null without an OpenAPI document. */
  mode: 'simulation' | 'production' | null;
}

interface Fetched {
  status: number | null;
  json: unknown;
  error: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function fetchJson(base: string, path: string, timeoutMs: number, init: RequestInit = {}): Promise<Fetched> {
  try {
    const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    try {
      return { status: res.status, json: JSON.parse(text), error: null };
    } catch {
      return { status: res.status, json: undefined, error: 'body is not JSON' };
    }
  } catch (e) {
    const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(e));
    return { status: null, json: undefined, error: why };
  }
}

function seen(f: Fetched): string {
  if (f.status === null) return `request failed: ${f.error}`;
  return f.error ? `HTTP ${f.status}, ${f.error}` : `HTTP ${f.status}`;
}

export async function validateServer(url: string, timeoutMs = 5000, headers: Record<string, string> = {}): Promise<ValidationReport> {
  const base = url.replace(/\/+$/, '');
  const [openapi, health, metadata, schema, mcp] = await Promise.all([
    fetchJson(base, '/openapi.json', timeoutMs, { headers }),
    fetchJson(base, '/health', timeoutMs, { headers }),
    fetchJson(base, '/metadata', timeoutMs, { headers }),
    fetchJson(base, '/schema', timeoutMs, { headers }),
    fetchJson(base, '/mcp', timeoutMs, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' }),
  ]);
  const criteria: Criterion[] = [];
  const add = (id: string, description: string, passed: boolean, detail: string) => criteria.push({ id, description, passed, detail });
  /** A criterion on one reply: HTTP 200 and `ok`; `detail` says what the 200 reply held, otherwise the status or failure is shown. */
  const addReplyCheck = (id: string, description: string, reply: Fetched, ok: boolean, detail: string) =>
    add(id, description, reply.status === 200 && ok, reply.status === 200 ? detail : seen(reply));

  const info = isObject(openapi.json) && isObject(openapi.json.info) ? openapi.json.info : null;
  const version = info && typeof info.version === 'string' ? info.version : null;
  addReplyCheck(
    'openapi_version_available',
    'GET /openapi.json → 200 with info.version a string',
    openapi,
    version !== null,
    version !== null ? `info.version ${JSON.stringify(version)}` : 'info.version missing or not a string',
  );

  const hs = isObject(health.json) ? health.json.status : undefined;
  addReplyCheck('health_endpoint', 'GET /health → 200 with status "healthy"', health, hs === 'healthy', `status ${JSON.stringify(hs)}`);

  const m = isObject(metadata.json) ? metadata.json : null;
  const metaOk = m !== null && typeof m.name === 'string' && typeof m.description === 'string';
  addReplyCheck(
    'metadata_endpoint',
    'GET /metadata → 200 with name and description strings',
    metadata,
    metaOk,
    metaOk ? `name ${JSON.stringify(m!.name)}` : 'name/description missing or not strings',
  );

  const s = isObject(schema.json) ? schema.json : null;
  const missing = ['action', 'observation', 'state'].filter((k) => !s || !isObject(s[k]));
  addReplyCheck(
    'schema_endpoint',
    'GET /schema → 200 with action, observation, state objects',
    schema,
    missing.length === 0,
    missing.length ? `not objects: ${missing.join(', ')}` : 'action, observation, state present',
  );

  const rpc = isObject(mcp.json) ? mcp.json.jsonrpc : undefined;
  addReplyCheck('mcp_endpoint', 'POST /mcp {} → 200 JSON-RPC 2.0 answer', mcp, rpc === '2.0', `jsonrpc ${JSON.stringify(rpc)}`);

  const paths = info && isObject(openapi.json) && isObject(openapi.json.paths) ? Object.keys(openapi.json.paths) : [];
  const hasReset = paths.includes('/reset');
  const simOk = hasReset ? paths.includes('/step') && paths.includes('/state') : !paths.includes('/step') && !paths.includes('/state');
  add(
    'mode_endpoint_consistency',
    'OpenAPI paths non-empty; /reset, /step, /state all listed (simulation) or none (production)',
    paths.length > 0 && simOk,
    paths.length === 0
      ? 'no paths in the OpenAPI document'
      : `${hasReset ? 'simulation' : 'production'} mode; /reset ${hasReset ? 'yes' : 'no'}, /step ${paths.includes('/step') ? 'yes' : 'no'}, /state ${paths.includes('/state') ? 'yes' : 'no'}`,
  );

  return {
    url: base,
    passed: criteria.every((c) => c.passed),
    criteria,
    profile: version === null ? null : version.startsWith('1.') ? 'openenv-http/1.x' : `openenv-http/${version}`,
    mode: paths.length === 0 ? null : hasReset ? 'simulation' : 'production',
  };
}
