/**
 * `dataselectenv` — the command line. Each command lives in its own module under ./commands and
 * registers itself here; every command has --help, human output by default and --json.
 */
import { Command } from 'commander';
import { registerReplay } from './commands/replay.ts';
import { registerBaseline } from './commands/baseline.ts';
import { registerBench } from './commands/bench.ts';
import { registerServe } from './commands/serve.ts';
import { registerEval } from './commands/eval.ts';
import { registerAgent } from './commands/agent.ts';
import { registerValidate } from './commands/validate.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('dataselectenv')
    .description('DataSelectEnv: an active-learning RL environment (server, evaluation, replay, agents)')
    .showHelpAfterError()
    .exitOverride((err) => {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  registerServe(program);
  registerReplay(program);
  registerBaseline(program);
  registerBench(program);
  registerEval(program);
  registerAgent(program);
  registerValidate(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
