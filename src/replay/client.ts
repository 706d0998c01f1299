/**
 * Replays a golden trace through any `Environment` (in process, HTTP or WebSocket client), so a
 * transport's whole path — client, wire, server, environment — is checked against the trace:
 * accepted steps give the trace's numbers, refused ones the trace's error kind, then the final
 * state and the grade.
 */
import { ClientError } from '../api/errors.ts';
import type { Environment } from '../api/environment.ts';
import { finalStateDifference, firstDifference, gradeDifference, type LoadedTrace, stepDifference, traceResult, type TraceResult } from './trace.ts';

export async function replayThroughEnvironment(loaded: LoadedTrace, env: Environment): Promise<TraceResult> {
  const { trace } = loaded;
  const result = (difference: string | null): TraceResult => traceResult(loaded, difference);
  try {
    const start = await env.reset({ task: trace.task_id, seed: trace.seed });
    let d = firstDifference('initial_observation', start.observation, trace.initial_observation, true);
    if (d) return result(d);
    for (const step of trace.steps) {
      const at = `step t=${step.t}`;
      let r;
      try {
        r = await env.step(step.action as never);
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        if (step.accepted) return result(`${at}: refused (${e.reason}), the trace accepts it`);
        if (e.reason !== step.error?.kind) return result(`${at}: refused as ${e.reason}, expected ${step.error?.kind}`);
        continue;
      }
      if (!step.accepted) return result(`${at}: accepted, but the trace refuses it (${step.error?.kind})`);
      d = stepDifference(at, r, step);
      if (d) return result(d);
    }
    d = finalStateDifference(await env.state(), trace);
    if (d) return result(d);
    return result(gradeDifference(await env.grade(), trace));
  } catch (e) {
    return result(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
