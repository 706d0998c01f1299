/**
 * The command form of the cluster tools (tools/pg-cluster.ts, tools/local-cluster.ts):
 * `start …` prints what it started as one JSON line and leaves it running; `stop DIR` stops it
 * and removes DIR. Anything else prints the usage (exit 2); a failure is one line (exit 1).
 */
export async function runClusterCommand(
  tool: string,
  usage: string,
  commands: { start(args: string[]): object | Promise<object>; stop(dir: string): void },
): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  try {
    if (command === 'start') {
      console.log(JSON.stringify(await commands.start(args)));
      // What it started runs on by itself; exit without waiting for handles left open to it.
      process.exit(0);
    } else if (command === 'stop' && args[0]) {
      commands.stop(args[0]);
    } else {
      process.stderr.write(`usage: ${usage}\n`);
      process.exit(2);
    }
  } catch (e) {
    process.stderr.write(`${tool}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
