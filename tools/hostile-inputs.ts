/**
 * Generators of hostile input for the HTTP API and the WebSocket protocol (fast-check
 * arbitraries), shared by the fuzz tests and the 10,000-request bench run.
 */
import fc from 'fast-check';

const BALANCED = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } };

/** Near-valid actions with one part broken: the interesting edge of validation. */
export const mutatedAction = fc.oneof(
  fc.record({ action_type: fc.oneof(fc.constantFrom('select_batch', 'stop', 'STOP', '', 'explore'), fc.string()), batch_size: fc.constant(10), strategy_weights: fc.constant(BALANCED.strategy_weights) }),
  fc.record({
    action_type: fc.constant('select_batch'),
    batch_size: fc.oneof(fc.integer({ min: -5, max: 400 }), fc.double(), fc.constantFrom(1e308, -0, 2 ** 53, '10', true, null, [], {})),
    strategy_weights: fc.constant(BALANCED.strategy_weights),
  }),
  fc.record({
    action_type: fc.constantFrom('select_batch', 'stop'),
    batch_size: fc.integer({ min: 0, max: 50 }),
    strategy_weights: fc.oneof(
      fc.dictionary(fc.constantFrom('uncertainty', 'diversity', 'random', 'Random', 'foo', ''), fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(1e308, 5e-324, '1', false, null))),
      fc.anything(),
    ),
  }),
  fc.anything(),
);

/** JSON text that is valid JSON. */
export const jsonBody = fc.oneof(
  fc.record({ action: mutatedAction, episode_id: fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer()) }).map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ task_id: fc.oneof(fc.constantFrom('easy', 'medium', 'hard', 'EASY'), fc.anything()), seed: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constantFrom('42', '4294967296', -1, true)), label: fc.oneof(fc.string({ maxLength: 80 }), fc.anything()) }).map((v) => JSON.stringify(v)),
);

/** Text that is not standard JSON: NaN/Infinity literals, truncation, garbage, deep nesting. */
export const malformedBody = fc.oneof(
  fc.constantFrom(
    '{"action": {"action_type": "select_batch", "batch_size": NaN, "strategy_weights": {"random": 1}}}',
    '{"action": {"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"random": Infinity}}}',
    '{"action": {"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"random": -Infinity}}}',
    '{"action": {"action_type": "select_batch", "batch_size": 1e999, "strategy_weights": {"random": 1e999}}}',
    '{"action": ',
    '{"a":1,}',
    "{'action': 1}",
    '\u0000',
    '[' .repeat(5000) + ']'.repeat(5000),
    '{"x":'.repeat(3000) + '1' + '}'.repeat(3000),
  ),
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
);

/** Raw bytes, sometimes invalid UTF-8. */
export const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.constant(Uint8Array.from([0xff, 0xfe, 0x7b, 0x7d])),
  fc.constant(Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])),
);

/** One WebSocket message: JSON of any type, almost-valid protocol messages, text or binary garbage. */
export const wsMessage = fc.oneof(
  fc.record({ type: fc.constantFrom('reset', 'step', 'state'), data: fc.oneof(mutatedAction, fc.anything(), fc.constant(null)) }).map((m) => ({ kind: 'text' as const, text: JSON.stringify(m) })),
  fc.record({ type: fc.oneof(fc.string(), fc.anything()), data: fc.anything() }).map((m) => ({ kind: 'text' as const, text: JSON.stringify(m) ?? 'null' })),
  fc.jsonValue().map((v) => ({ kind: 'text' as const, text: JSON.stringify(v) })),
  malformedBody.map((text) => ({ kind: 'text' as const, text })),
  rawBytes.map((bytes) => ({ kind: 'binary' as const, bytes })),
);

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
);
