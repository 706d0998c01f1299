import type { Command } from 'commander';
import { parseSeeds, parseTasks } from '../../eval/run.ts';
import { actionWithDataset, type DatasetFlags } from '../dataset-option.ts';
import { parseArgument } from '../errors.ts';

interface CheckFlags extends DatasetFlags {
  task?: string;
  seeds: string;
  json?: boolean;
}

export function registerCheck(program: Command): void {
  const cmd = program
    .command('check')
    .description('check the in-process environment against its contract (reset/step, flags, schemas, seeding, invalid actions)')
    .option('--task <ids>', 'comma-separated task ids (default: every task; with --dataset: its own task)')
    .option('--seeds <list>', 'seeds to check, e.g. 0..2 or 0,7', '0,1')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  dataselectenv check --task hard --seeds 0..3\n  dataselectenv check --dataset my.csv --label-column y    # task csv-my\n\nExit code 1 when a rule breaks; each failure names its rule.',
    );
  actionWithDataset(cmd, async (flags: CheckFlags, csvTask) => {
    const tasks = flags.task ? parseArgument(() => parseTasks(flags.task!)) : csvTask !== null ? [csvTask] : undefined;
    const seeds = parseArgument(() => parseSeeds(flags.seeds));
    const { checkEnv, formatCheckReport } = await import('../../env/checker.ts');
    const { InProcessEnvironment } = await import('../../client/inprocess.ts');
    const report = await checkEnv(new InProcessEnvironment(), { tasks, seeds });
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatCheckReport(report)}\n`);
    if (!report.ok) process.exitCode = 1;
  });
}
