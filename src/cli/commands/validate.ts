import type { Command } from 'commander';
import { normaliseBaseUrl } from '../../client/http.ts';
import { validateServer, type ValidationReport } from '../../validate/openenv.ts';
import { API_KEY_ENV, apiKeyHeaders, serverApiKey } from '../api-key.ts';
import { UsageError, reportError } from '../errors.ts';

export function formatValidation(r: ValidationReport): string {
  const lines = [`validating ${r.url} (OpenEnv runtime criteria)`];
  for (const c of r.criteria) lines.push(`${c.passed ? 'PASS' : 'FAIL'}  ${c.id.padEnd(26)} ${c.detail}`);
  lines.push(
    r.passed
      ? `passed: ${r.criteria.length}/${r.criteria.length} criteria · profile ${r.profile} · mode ${r.mode}`
      : `failed: ${r.criteria.filter((c) => !c.passed).length} of ${r.criteria.length} criteria`,
  );
  return `${lines.join('\n')}\n`;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description("check a running server against OpenEnv's runtime validation (openenv validate --url); exit 1 on failure")
    .argument('<url>', 'server base URL, e.g. http://localhost:7860')
    .option('--timeout <ms>', 'per-request timeout (OpenEnv uses 5 s)', '5000')
    .option('--json', 'print the report as JSON')
    .option('--api-key <key>', `API key of a server started with API_KEYS (env ${API_KEY_ENV})`)
    .addHelpText('after', '\nExample:\n  dataselectenv validate http://localhost:7860')
    .action(async (url: string, opts: { timeout: string; json?: boolean; apiKey?: string }) => {
      try {
        const timeoutMs = Number(opts.timeout);
        if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be a positive number of milliseconds, got '${opts.timeout}'`);
        const report = await validateServer(normaliseBaseUrl(url), timeoutMs, apiKeyHeaders(serverApiKey(opts.apiKey)));
        process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatValidation(report));
        process.exitCode = report.passed ? 0 : 1;
      } catch (e) {
        reportError(e, opts.json);
      }
    });
}
