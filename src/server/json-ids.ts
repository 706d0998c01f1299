/**
 * JSON-RPC ids echoed exactly as sent (issue 13 item 9): JSON.parse turns an integer beyond 2^53
 * into the nearest double, so the reply would name another request. The reviver below keeps the
 * source text of any numeric `id` a double cannot reproduce exactly (as `JSON.rawJSON`, which
 * JSON.stringify writes back verbatim); every other value parses as usual.
 */

type RawJson = { readonly rawJSON: string };
const LosslessJson = JSON as JSON & {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
};

/** A reviver for JSON.parse (Node ≥ 21 passes the source text of primitives as `context.source`). */
export function keepExactIds(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  if (key !== 'id' || typeof value !== 'number' || context?.source === undefined) return value;
  const exact = Number.isSafeInteger(value) && context.source === String(value);
  return exact ? value : LosslessJson.rawJSON(context.source);
}

/**
 * JSON.parse with `keepExactIds`. A reviver makes V8 walk the whole parsed value again (a quarter
 * of a WebSocket step's parse), so text that cannot hold an `id` key — no `"id"` and no backslash
 * (a key spelt with escapes, `"\u0069d"`, needs one) — is parsed without it: the same value.
 */
export function parseJsonKeepingIds(text: string): unknown {
  if (text.indexOf('"id"') === -1 && text.indexOf('\\') === -1) return JSON.parse(text);
  return JSON.parse(text, keepExactIds as (this: unknown, key: string, value: unknown) => unknown);
}

/** True for an id kept as source text that denotes an integer (1e3 and 1.0 do; 1.5 does not). */
export function isExactIntegerId(value: unknown): boolean {
  return LosslessJson.isRawJSON(value) && Number.isInteger(Number(value.rawJSON));
}
