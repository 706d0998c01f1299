/**
 * The hot path's shortcuts give exactly what the general code gives: the reply serialiser's
 * plain-stringify path, the WebSocket parser's reviver-free path, and the metrics that count into
 * cached series (their exposition text against prom-client's own Counter and Histogram).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import client from 'prom-client';
import { toJson } from '../../src/server/body.ts';
import { keepExactIds, parseJsonKeepingIds } from '../../src/server/json-ids.ts';
import { FastHistogram, Tally } from '../../src/server/metrics.ts';

const reviverParse = (text: string) => JSON.parse(text, keepExactIds as (this: unknown, key: string, value: unknown) => unknown);

describe('toJson', () => {
  test('finite values: the text JSON.stringify gives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(toJson(v), JSON.stringify(v));
      }),
      { numRuns: 500 },
    );
  });

  test('a non-finite number anywhere is refused, also beside a genuine null', () => {
    const bad = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
    fc.assert(
      fc.property(fc.jsonValue(), bad, fc.boolean(), (v, x, withNull) => {
        const holder = { value: v, nested: [1, { x }], other: withNull ? null : 0 };
        assert.throws(() => toJson(holder), /non-finite/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseJsonKeepingIds', () => {
  test('the same value as the reviver for any JSON text, ids beyond 2^53 and escaped keys included', () => {
    const id = fc.oneof(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String), fc.integer().map(String), fc.constant('1e3'), fc.constant('1.5'));
    const key = fc.constantFrom('"id"', '"\\u0069d"', '"request_id"', '"i\\u0064"');
    fc.assert(
      fc.property(fc.jsonValue(), key, id, fc.boolean(), (v, k, idText, withId) => {
        const text = withId ? `{"jsonrpc":"2.0",${k}:${idText},"params":${JSON.stringify(v)}}` : JSON.stringify({ type: 'step', data: v });
        assert.deepEqual(parseJsonKeepingIds(text), reviverParse(text));
      }),
      { numRuns: 500 },
    );
    const big = parseJsonKeepingIds('{"id": 12345678901234567891}') as { id: unknown };
    assert.equal(JSON.stringify(big), '{"id":12345678901234567891}', 'an id beyond 2^53 keeps its digits');
  });
});

describe('metrics series', () => {
  const buckets = [0.0005, 0.001, 0.01, 0.1, 1];
  const label = fc.constantFrom('a', 'b', 'c');

  test('FastHistogram prints what a prom-client Histogram prints for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(label, fc.oneof(fc.constantFrom(...buckets), fc.double({ min: 0, max: 2, noNaN: true }))), { maxLength: 60 }), async (observations) => {
        const ours = new client.Registry();
        const theirs = new client.Registry();
        const fast = new FastHistogram({ name: 'h_seconds', help: 'help text', buckets, registers: [ours] });
        const reference = new client.Histogram({ name: 'h_seconds', help: 'help text', labelNames: ['outcome'], buckets, registers: [theirs] });
        for (const [outcome, v] of observations) {
          fast.observe(outcome, () => ({ outcome }), v);
          reference.observe({ outcome }, v);
        }
        assert.equal(await ours.metrics(), await theirs.metrics());
      }),
      { numRuns: 100 },
    );
  });

  test('Tally prints what a prom-client Counter prints, across scrapes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(label, { maxLength: 20 }), { minLength: 1, maxLength: 4 }), async (rounds) => {
        const ours = new client.Registry();
        const theirs = new client.Registry();
        const tally = new Tally({ name: 'c_total', help: 'help text', labelNames: ['transport'], registers: [ours] });
        const reference = new client.Counter({ name: 'c_total', help: 'help text', labelNames: ['transport'], registers: [theirs] });
        for (const round of rounds) {
          for (const transport of round) {
            tally.add(transport, () => ({ transport }));
            reference.inc({ transport });
          }
          assert.equal(await ours.metrics(), await theirs.metrics());
        }
      }),
      { numRuns: 100 },
    );
  });
});
