/** Replays golden traces against the environment in this process (with sampler-level checks). */
import { EnvError } from '../env/errors.ts';
import { makeEnv, type MakeEnvOptions } from '../env/make.ts';
import {
  finalStateDifference,
  firstDifference,
  type LoadedTrace,
  stepDifference,
  traceResult,
  type TraceResult,
} from './trace.ts';

export function replayInProcess(loaded: LoadedTrace): TraceResult {
  return replayInProcessWith(loaded, {});
}

/** `replayInProcess` with environment options (e.g. the curation family's `libraryPath`). */
export function replayInProcessWith(loaded: LoadedTrace, options: MakeEnvOptions): TraceResult {
  const { trace } = loaded;
  const result = (difference: string | null): TraceResult => traceResult(loaded, difference);
  try {
    const env = makeEnv(trace.task_id, { ...options, recordSelections: true });
    const reset = env.reset({ task: trace.task_id, seed: trace.seed });
    let d = firstDifference('initial_observation', reset.observation, trace.initial_observation, true);
    if (d) return result(d);
    if (trace.initial_rng) {
      d = firstDifference('initial_rng', env.rngFingerprint(), { pos: trace.initial_rng.pos, key_sha256_16: trace.initial_rng.key_sha256_16 });
      if (d) return result(d);
    }
    for (const step of trace.steps) {
      const at = `step t=${step.t}`;
      if (!step.accepted) {
        const before = env.state();
        try {
          env.step(step.action);
          return result(`${at}: accepted, but the trace refuses it (${step.error?.kind})`);
        } catch (e) {
          if (!(e instanceof EnvError)) throw e;
          if (e.reason !== step.error?.kind) return result(`${at}: refused as ${e.reason}, expected ${step.error?.kind}`);
        }
        d = firstDifference(`${at} state after refusal`, env.state(), before, true);
        if (d) return result(d);
        d = firstDifference(`${at} observation`, env.currentObservation(), step.observation, true);
        if (d) return result(d);
        continue;
      }
      let r;
      try {
        r = env.step(step.action);
      } catch (e) {
        return result(`${at}: refused (${e instanceof EnvError ? e.reason : String(e)}), the trace accepts it`);
      }
      d = stepDifference(at, r, step);
      if (d) return result(d);
      const derived = step.derived;
      if (derived?.train_order && env.lastSelection) {
        const sel = env.lastSelection;
        d =
          firstDifference(`${at} uncertainty_idx`, sel.uncertainty_idx, derived.uncertainty_idx ?? []) ??
          firstDifference(`${at} diversity_idx`, sel.diversity_idx, derived.diversity_idx ?? []) ??
          firstDifference(`${at} random_idx`, sel.random_idx, derived.random_idx ?? []) ??
          firstDifference(`${at} train_order`, sel.train_order, derived.train_order) ??
          (derived.library_idx ? firstDifference(`${at} library_idx`, sel.library_idx ?? {}, derived.library_idx) : null) ??
          firstDifference(`${at} effective batch`, sel.effective, derived.batch?.effective);
        if (d) return result(d);
      }
      if (derived?.picks && env.lastSelection) {
        d = firstDifference(`${at} picks`, env.lastSelection.picks ?? {}, derived.picks, true);
        if (d) return result(d);
      }
      if (derived?.rng) {
        d = firstDifference(`${at} rng`, env.rngFingerprint(), { pos: derived.rng.pos, key_sha256_16: derived.rng.key_sha256_16 });
        if (d) return result(d);
      }
    }
    d = finalStateDifference(env.state(), trace);
    if (d) return result(d);
    d = firstDifference('grade', env.grade(), trace.grade);
    return result(d);
  } catch (e) {
    return result(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
