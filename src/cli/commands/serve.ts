/**
 * `dataselectenv serve`: parses the server's flags (its own table, src/server/start.ts) and calls
 * the server's start; the server owns its start, signals and shutdown.
 */
import type { Command } from 'commander';
import { SERVE_FLAGS, configInputFrom, flagKey, runServer } from '../../server/start.ts';
import { addDatasetOptions, applyDatasetOptions, type DatasetFlags } from '../dataset-option.ts';
import { describeError } from '../errors.ts';

/** commander's attribute name of a flag: `max-body-bytes` → `maxBodyBytes`, `no-web` → `web`. */
const attribute = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function registerServe(program: Command): void {
  const command = program.command('serve').description('serve the environment over HTTP + WebSocket + MCP (same as npm start)');
  for (const flag of SERVE_FLAGS) command.option(`--${flag.name}${flag.value ? ` ${flag.value}` : ''}`, flag.help);
  addDatasetOptions(command).action(async (opts: Record<string, string | boolean | undefined> & DatasetFlags) => {
    // A user's CSV joins the task registry first (every worker re-runs this, so each has it).
    try {
      applyDatasetOptions(opts);
    } catch (e) {
      process.stderr.write(`dataselectenv serve: ${describeError(e).message}\n`);
      process.exit(2);
    }
    const flags = Object.fromEntries(SERVE_FLAGS.map((f) => [flagKey(f), opts[attribute(flagKey(f))]]));
    await runServer(configInputFrom(flags));
  });
}
