import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './run-cli.ts';

describe('--help of the commands of this package', () => {
  it('every command documents its options and an example', async () => {
    const expected: Record<string, RegExp[]> = {
      eval: [/--policy <name\|path>/, /--seeds <spec>/, /--url <url>/, /--ws/, /--csv <file>/, /--out <file>/, /--json/, /stop-immediately/, /adaptive/, /--paired-with <name\|path>/, /Examples:/],
      agent: [/--task <ids>/, /--seed <n>/, /--url <url>/, /--base-url <url>/, /--model <name>/, /--api-key <key>/, /--retries <n>/, /--json/, /Examples:/],
      validate: [/<url>/, /--timeout <ms>/, /--json/, /Example:/],
    };
    const results = await Promise.all(Object.keys(expected).map((c) => runCli([c, '--help'])));
    Object.keys(expected).forEach((cmd, i) => {
      const r = results[i];
      assert.equal(r.code, 0, r.stderr);
      for (const re of expected[cmd]) assert.match(r.stdout, re, `${cmd} --help lacks ${re}`);
    });
    const top = await runCli(['--help']);
    for (const cmd of Object.keys(expected)) assert.match(top.stdout, new RegExp(`^\\s+${cmd} `, 'm'));
  });
});
