/**
 * `dataselectenv` — the command line. Each command lives in its own module under ./commands and
 * registers itself here; every command has --help, human output by default and --json. Whatever
 * escapes a command is still reported as one line (src/cli/errors.ts), never as a stack trace.
 */
import { Command } from 'commander';
import { PACKAGE_VERSION } from '../version.ts';
import { registerReplay } from './commands/replay.ts';
import { registerBaseline } from './commands/baseline.ts';
import { registerBench } from './commands/bench.ts';
import { registerBenchmark } from './commands/benchmark.ts';
import { registerCheck } from './commands/check.ts';
import { registerServe } from './commands/serve.ts';
import { registerEval } from './commands/eval.ts';
import { registerAgent } from './commands/agent.ts';
import { registerValidate } from './commands/validate.ts';
import { registerExport } from './commands/export.ts';
import { exitQuietlyOnClosedPipes, reportError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('dataselectenv')
    .version(PACKAGE_VERSION, '-V, --version', 'print the package version')
    .description('DataSelectEnv: an active-learning RL environment (server, evaluation, replay, agents)')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 the command failed (mismatches, server unreachable, …), 2 bad arguments.\nDocumentation: docs/ in the repository or package (protocol, behaviour, numerics, fixtures).',
    )
    .exitOverride((err) => {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  registerServe(program);
  registerReplay(program);
  registerBaseline(program);
  registerBench(program);
  registerBenchmark(program);
  registerCheck(program);
  registerEval(program);
  registerAgent(program);
  registerValidate(program);
  registerExport(program);
  return program;
}

exitQuietlyOnClosedPipes();
process.on('unhandledRejection', (e) => {
  reportError(e);
  process.exit(process.exitCode ?? 1);
});
try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  reportError(e);
}
