/**
 * Entry point of the bundled server that `npm start` runs (dist/server/server.mjs): the `serve`
 * command alone. One bundled file loads in far less memory than the few hundred modules of the
 * type-stripped sources (measured: idle RSS 79 MB against 150 MB), so the production start uses it;
 * `dataselectenv serve` runs the same code from source.
 */
import { Command } from 'commander';
import { registerServe } from '../cli/commands/serve.ts';

const program = new Command().name('dataselectenv-server');
registerServe(program);
await program.parseAsync(['serve', ...process.argv.slice(2)], { from: 'user' });
