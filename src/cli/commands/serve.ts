import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the environment over HTTP + WebSocket (same as npm start)')
    .action(() => {
      throw new Error('the server is not built yet');
    });
}
