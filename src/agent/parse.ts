/**
 * Turning a model's free text into a valid action. Models wrap JSON in prose or code fences, add
 * trailing commentary, and drift out of range; the parser finds the first JSON object that looks
 * like an action, repairs what can be repaired without guessing (clamping numbers into range,
 * dropping unknown weight keys) and otherwise rejects the answer so the caller plays the
 * original runner's fallback action.
 */
import { STRATEGIES, type Action, type Observation, type Strategy } from '../env/types.ts';
import type { TaskSpec } from '../env/tasks.ts';

/** The original runner's fallback (docs/behaviour.md, "The original's LLM runner"). */
export const FALLBACK_ACTION: Action = Object.freeze({
  action_type: 'select_batch',
  batch_size: 10,
  strategy_weights: Object.freeze({ uncertainty: 0.3, diversity: 0.5, random: 0.2 }),
}) as Action;

export type ParseStatus = 'ok' | 'repaired' | 'fallback';

export interface ParsedAnswer {
  action: Action;
  status: ParseStatus;
  /** What was repaired, or why the answer was rejected. */
  warnings: string[];
}

/** Candidate JSON texts in order of preference: fenced blocks, the whole text, then every balanced {…}. */
export function jsonCandidates(text: string): string[] {
  const out: string[] = [];
  const fence = /```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n?([\s\S]*?)```/g;
  for (let m = fence.exec(text); m; m = fence.exec(text)) out.push(m[2].trim());
  out.push(text.trim());
  // Balanced-brace scan that ignores braces inside JSON strings.
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        out.push(text.slice(start, i + 1));
        break;
      }
    }
  }
  return out;
}

function looksLikeAction(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && ('action_type' in v || 'strategy_weights' in v);
}

/** Finds the first candidate that parses to an action-like object (also inside an `action` wrapper). */
export function extractActionObject(text: string): Record<string, unknown> | null {
  for (const c of jsonCandidates(text)) {
    let v: unknown;
    try {
      v = JSON.parse(c);
    } catch {
      continue;
    }
    if (looksLikeAction(v)) return v;
    if (typeof v === 'object' && v !== null && looksLikeAction((v as { action?: unknown }).action)) {
      return (v as { action: Record<string, unknown> }).action;
    }
  }
  return null;
}

/** A number from a number or a numeric string ("10", " 0.5 "), else NaN. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  return Number.NaN;
}

class Rejected extends Error {}

export function parseModelAnswer(text: string, task: TaskSpec, observation: Observation): ParsedAnswer {
  const warnings: string[] = [];
  try {
    const raw = extractActionObject(text);
    if (!raw) throw new Rejected('no JSON action object found in the answer');

    const type = typeof raw.action_type === 'string' ? raw.action_type.trim().toLowerCase() : raw.action_type;
    if (type !== 'select_batch' && type !== 'stop') throw new Rejected(`action_type ${JSON.stringify(raw.action_type)} is not select_batch or stop`);
    if (type !== raw.action_type) warnings.push(`action_type ${JSON.stringify(raw.action_type)} read as '${type}'`);

    let batch: number;
    if (raw.batch_size === undefined && type === 'stop') batch = 0;
    else {
      batch = toNumber(raw.batch_size);
      if (!Number.isFinite(batch)) throw new Rejected(`batch_size ${JSON.stringify(raw.batch_size)} is not a finite number`);
      if (typeof raw.batch_size === 'string') warnings.push(`batch_size given as the string ${JSON.stringify(raw.batch_size)}`);
      if (!Number.isInteger(batch)) {
        warnings.push(`batch_size ${batch} rounded to ${Math.round(batch)}`);
        batch = Math.round(batch);
      }
    }
    if (type === 'select_batch') {
      // The environment would raise a small batch to min_batch and cut a large one to the budget
      // anyway (D3); clamping here makes that visible in the log instead of silent.
      const hi = Math.max(task.minBatch, observation.remaining_budget);
      const clamped = Math.min(Math.max(batch, task.minBatch), hi);
      if (clamped !== batch) warnings.push(`batch_size ${batch} clamped to ${clamped} (range ${task.minBatch}–${hi})`);
      batch = clamped;
    } else if (batch < 0) {
      warnings.push(`batch_size ${batch} clamped to 0`);
      batch = 0;
    }

    let weightsIn = raw.strategy_weights;
    if (weightsIn === undefined && type === 'stop') weightsIn = { random: 1 };
    if (typeof weightsIn !== 'object' || weightsIn === null || Array.isArray(weightsIn)) {
      throw new Rejected('strategy_weights is missing or not an object');
    }
    const weights: Partial<Record<Strategy, number>> = {};
    for (const [k0, v0] of Object.entries(weightsIn)) {
      const k = k0.trim().toLowerCase();
      if (!((task.strategies ?? STRATEGIES) as readonly string[]).includes(k)) {
        warnings.push(`unknown strategy '${k0}' dropped`);
        continue;
      }
      let v = toNumber(v0);
      if (!Number.isFinite(v)) throw new Rejected(`weight ${k0} = ${JSON.stringify(v0)} is not a finite number`);
      if (typeof v0 === 'string') warnings.push(`weight ${k} given as the string ${JSON.stringify(v0)}`);
      if (v < 0 || v > 1) {
        const c = Math.min(Math.max(v, 0), 1);
        warnings.push(`weight ${k} ${v} clamped to ${c}`);
        v = c;
      }
      weights[k as Strategy] = v;
    }
    const values = Object.values(weights);
    if (values.length === 0) throw new Rejected('no usable strategy weight');
    if (values.every((v) => v === 0)) throw new Rejected('all strategy weights are zero');

    const action: Action = { action_type: type, batch_size: batch, strategy_weights: weights };
    return { action, status: warnings.length ? 'repaired' : 'ok', warnings };
  } catch (e) {
    if (!(e instanceof Rejected)) throw e;
    warnings.push(`${e.message}; playing the fallback action`);
    return { action: structuredClone(FALLBACK_ACTION) as Action, status: 'fallback', warnings };
  }
}
