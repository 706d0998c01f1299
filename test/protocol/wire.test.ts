/** The protocol module: observation schemas come from the task registry, one per family. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Compile } from 'typebox/compile';
import { makeEnv } from '../../src/env/make.ts';
import { FAMILIES, TASKS, observationSchema, observationSchemaOf } from '../../src/env/tasks.ts';
import { ObservationSchema } from '../../src/protocol/wire.ts';

test('every task names a registered family, and its observations fit that family schema', () => {
  for (const task of TASKS.values()) {
    assert.ok(FAMILIES.has(task.family), `${task.id}: family ${task.family}`);
    const check = Compile(observationSchemaOf(task));
    const env = makeEnv(task.id);
    const { observation } = env.reset({ task: task.id, seed: 3 });
    assert.ok(check.Check(observation), `${task.id}: reset observation`);
    assert.ok(check.Check(env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } }).observation));
    // A key outside the family's schema is refused: the schema is exact (§2.1).
    assert.equal(check.Check({ ...observation, extra: 1 }), false);
  }
});

test('the served observation schema describes every family', () => {
  const served = JSON.parse(JSON.stringify(ObservationSchema));
  const families = [...FAMILIES.values()].map((f) => JSON.parse(JSON.stringify(f.observation)));
  if (families.length === 1) assert.deepEqual(served, families[0]);
  else assert.deepEqual(served.anyOf, families);
  assert.deepEqual(served, JSON.parse(JSON.stringify(observationSchema())));
});
