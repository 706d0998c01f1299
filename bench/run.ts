/**
 * `npm run bench [-- --quick] [-- --json] [-- --only=SECTION,…]`: prints every figure with the
 * original's value, the ratio, whether the goal is met, and the committed baseline
 * (bench/baseline.json) with how far each figure moved from it. Sections run in this process
 * except where they start servers of their own (loopback only, bounded in time and count).
 *
 * Baseline flags: `--baseline=FILE` (default bench/baseline.json), `--no-baseline`,
 * `--tolerance=0.5` (a figure more than 50 % worse is flagged REGRESSED; env BENCH_TOLERANCE),
 * `--fail-on-regression` (exit 1 when one is), `--write-baseline` (store these figures there,
 * keeping the entries of sections not run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { numericsFigures } from './numerics.ts';
import { envFigures } from './env.ts';
import { storeFigures } from './store.ts';
import { strategyFigures } from './strategies.ts';
import { vectorFigures } from './vector.ts';
import { compareToBaseline, mergeBaseline, parseBaseline, printTable, ratioOf, metOf, type Baseline, type Figure } from '../tools/bench-report.ts';
import { serverSections } from './server.ts';

const argv = process.argv.slice(2);
const args = new Set(argv);
const valueOf = (flag: string) => argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
const quick = args.has('--quick');
const json = args.has('--json');
const onlyArg = valueOf('--only');
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const baselinePath = valueOf('--baseline') ?? new URL('./baseline.json', import.meta.url).pathname;
const toleranceText = valueOf('--tolerance') ?? process.env.BENCH_TOLERANCE ?? '0.5';
const tolerance = Number(toleranceText);
if (!Number.isFinite(tolerance) || tolerance < 0) {
  console.error(`bench: --tolerance must be a non-negative number (a fraction, e.g. 0.5), got ${toleranceText}`);
  process.exit(2);
}

function readBaseline(): Baseline | null {
  if (args.has('--no-baseline')) return null;
  let text: string;
  try {
    text = readFileSync(baselinePath, 'utf8');
  } catch {
    return null;
  }
  try {
    return parseBaseline(text);
  } catch (e) {
    console.error(`bench: ${baselinePath}: ${(e as Error).message}`);
    process.exit(2);
  }
}
const baseline = readBaseline();

type Section = { name: string; run: (quick: boolean) => Promise<Figure[]> | Figure[] };
const sections: Section[] = [
  { name: 'numerics', run: numericsFigures },
  { name: 'env', run: envFigures },
  { name: 'strategies', run: strategyFigures },
  { name: 'vector', run: vectorFigures },
  { name: 'store', run: storeFigures },
];
sections.push(...serverSections);

// Replicas on PostgreSQL behind nginx: scaling, SIGKILL fault, action-log cost (needs Debian's
// postgresql and nginx; reported as skipped without them).
sections.push({ name: 'replicas', run: (await import('./replicas.ts')).replicaFigures });

// The soak runs only when asked for by name (it takes minutes).
const OPT_IN = new Set(['soak']);
const figures: Figure[] = [];
for (const s of sections) {
  if (only ? !only.has(s.name) : OPT_IN.has(s.name)) continue;
  if (!json) process.stderr.write(`running ${s.name}…\n`);
  figures.push(...(await s.run(quick)));
}
const comparisons = figures.map((f) => compareToBaseline(f, baseline, tolerance));
const regressed = figures.filter((_, i) => comparisons[i].regressed);
if (json) {
  console.log(
    JSON.stringify(
      figures.map((f, i) => ({ ...f, ratio: ratioOf(f), met: metOf(f), baseline: comparisons[i].baseline, worse: comparisons[i].worse, regressed: comparisons[i].regressed })),
    ),
  );
} else {
  printTable(figures, baseline ? comparisons : undefined);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`\nload average now: ${load}` + (baseline ? `; baseline ${baselinePath.split('/').slice(-2).join('/')} written ${baseline.written} at load ${baseline.loadavg.map((x) => x.toFixed(2)).join(' ')}` : ''));
  if (baseline) console.log(`${regressed.length} figure(s) more than ${Math.round(tolerance * 100)} % worse than the baseline${regressed.length ? ': ' + regressed.map((f) => `${f.section}/${f.name}`).join(', ') : ''}`);
}
if (args.has('--write-baseline')) {
  const next = mergeBaseline(baseline, figures, { written: new Date().toISOString(), loadavg: loadavg(), quick });
  writeFileSync(baselinePath, JSON.stringify(next, null, 2) + '\n');
  if (!json) console.log(`baseline written: ${baselinePath} (${next.figures.length} figures)`);
}
if (args.has('--fail-on-regression') && regressed.length > 0) process.exitCode = 1;
