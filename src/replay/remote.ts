/**
 * Replays golden traces against a running server over HTTP, as docs/fixtures.md
 * describes: POST /reset {task_id, seed}; POST /step {"episode_id", "action"} per action
 * (accepted: 200 and the trace's numbers; refused: exactly the trace's status); GET /state by id;
 * POST /grader. Each trace names its episode, so several run at once without interfering.
 */
import { ClientError } from '../api/errors.ts';
import { normaliseBaseUrl, transportError } from '../client/http.ts';
import {
  finalStateDifference,
  firstDifference,
  gradeDifference,
  type LoadedTrace,
  stepDifference,
  traceResult,
  type TraceResult,
} from './trace.ts';

interface Reply {
  status: number;
  body: any;
}

/** A server and the headers every request to it carries (an API key's Authorization). */
interface Target {
  base: string;
  headers: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** One request; a transport failure (server down, timeout) throws a ClientError, never a mismatch. */
async function call(target: Target, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
  let res: Response;
  try {
    res = await fetch(target.base + path, {
      method,
      headers: { ...target.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    throw transportError(e, `${method} ${path}`, target.base, REQUEST_TIMEOUT_MS);
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

const rewardOf = (r: unknown) => (typeof r === 'object' && r !== null && 'value' in r ? (r as { value: unknown }).value : r);

export async function replayOverHttp(loaded: LoadedTrace, baseUrl: string, headers: Record<string, string> = {}): Promise<TraceResult> {
  const { trace } = loaded;
  const base = baseUrl.replace(/\/+$/, '');
  const result = (difference: string | null): TraceResult => traceResult(loaded, difference);
  try {
    const reset = await call({ base, headers }, 'POST', '/reset', { task_id: trace.task_id, seed: trace.seed });
    if (reset.status !== 200) return result(`reset: HTTP ${reset.status} ${JSON.stringify(reset.body)}`);
    let d = firstDifference('initial_observation', reset.body.observation, trace.initial_observation, true);
    if (d) return result(d);
    const id = reset.body.episode_id as string;
    for (const step of trace.steps) {
      const at = `step t=${step.t}`;
      const r = await call({ base, headers }, 'POST', '/step', { episode_id: id, action: step.action });
      if (!step.accepted) {
        if (r.status !== step.error?.http_status) {
          return result(`${at}: HTTP ${r.status} (${r.body?.reason ?? ''}), the trace refuses it with ${step.error?.http_status} (${step.error?.kind})`);
        }
        if (r.body?.reason !== step.error?.kind) return result(`${at}: refused as ${r.body?.reason}, expected ${step.error?.kind}`);
        continue;
      }
      if (r.status !== 200) return result(`${at}: HTTP ${r.status} ${JSON.stringify(r.body)}, the trace accepts it`);
      d = stepDifference(at, { ...r.body, reward: rewardOf(r.body.reward) }, step);
      if (d) return result(d);
    }
    const state = await call({ base, headers }, 'GET', `/state?episode_id=${encodeURIComponent(id)}`);
    if (state.status !== 200) return result(`state: HTTP ${state.status}`);
    d = finalStateDifference(state.body, trace);
    if (d) return result(d);
    const grade = await call({ base, headers }, 'POST', '/grader', { episode_id: id, task_id: trace.task_id });
    if (grade.status !== 200) return result(`grader: HTTP ${grade.status} ${JSON.stringify(grade.body)}`);
    d = gradeDifference(grade.body, trace) ?? firstDifference('grade.episode_id', grade.body.episode_id, id);
    return result(d);
  } catch (e) {
    if (e instanceof ClientError) throw e;
    return result(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Fails fast with one ClientError (`CONNECTION_ERROR` / `server_unreachable`) when nothing answers
 * at `baseUrl`, so a server that is down is reported once rather than as a mismatch per trace.
 */
export async function checkReachable(baseUrl: string): Promise<void> {
  const base = normaliseBaseUrl(baseUrl);
  try {
    await call({ base, headers: {} }, 'GET', '/health');
  } catch (e) {
    const err = e as ClientError;
    throw new ClientError(err.code === 'TIMEOUT' ? 'TIMEOUT' : 'CONNECTION_ERROR', 'server_unreachable', `server unreachable: ${err.message}`, { cause: e });
  }
}

/**
 * Replays every trace with at most `concurrency` in flight; results keep the traces' order.
 * Checks first that the server answers; a transport failure during the run (the server went
 * away) stops it with that ClientError instead of reporting the remaining traces as mismatches.
 */
export async function replayAllOverHttp(
  traces: LoadedTrace[],
  baseUrl: string,
  concurrency = 8,
  headers: Record<string, string> = {},
): Promise<TraceResult[]> {
  await checkReachable(baseUrl);
  const results: TraceResult[] = new Array(traces.length);
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < traces.length && failure === null) {
      const i = next++;
      try {
        results[i] = await replayOverHttp(traces[i], baseUrl, headers);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, traces.length)) }, worker));
  if (failure !== null) throw failure;
  return results;
}
