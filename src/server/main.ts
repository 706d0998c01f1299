/**
 * Entry point of the bundled server that `npm start` runs (build/server/server.mjs): the flags of
 * `dataselectenv serve` (parsed here with node:util, no CLI framework), then the server's own
 * start. One bundled file loads in far less memory than the few hundred modules of the
 * type-stripped sources (idle RSS: README, Benchmarks), so the production start uses it;
 * `dataselectenv serve` runs the same start from source.
 */
import { parseArgs } from 'node:util';
import { registerCsvTask } from '../env/datasets/user-task.ts';
import { SERVE_FLAGS, configInputFrom, flagKey, runServer } from './start.ts';

const NAME = 'dataselectenv serve';

function usage(): string {
  const lines = SERVE_FLAGS.map((f) => `  --${f.name}${f.value ? ` ${f.value}` : ''}`.padEnd(34) + f.help);
  return ['Usage: node build/server/server.mjs [options]  (the same options as dataselectenv serve)', '', ...lines, '  --help'.padEnd(34) + 'this list', ''].join('\n');
}

let values: Record<string, string | boolean | undefined>;
try {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, dataset: { type: 'string' }, 'label-column': { type: 'string' } };
  for (const f of SERVE_FLAGS) options[flagKey(f)] = { type: f.value ? 'string' : 'boolean' };
  ({ values } = parseArgs({ args: process.argv.slice(2), options, allowNegative: true, strict: true, allowPositionals: false }));
} catch (e) {
  process.stderr.write(`${NAME}: ${(e as Error).message.split('\n')[0]} (see --help)\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(usage());
  process.exit(0);
}
// --dataset FILE / DATASET: a user's CSV joins the task registry before the server starts.
const env = process.env;
const dataset = (values.dataset as string | undefined) ?? (env.DATASET?.trim() ? env.DATASET : undefined);
if (dataset !== undefined) {
  try {
    registerCsvTask(dataset, (values['label-column'] as string | undefined) ?? (env.DATASET_LABEL_COLUMN?.trim() ? env.DATASET_LABEL_COLUMN : 'label'));
  } catch (e) {
    process.stderr.write(`${NAME}: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(2);
  }
}
await runServer(configInputFrom(values), NAME);
