/**
 * `npm run bench [-- --quick] [-- --json] [-- --only SECTION,…]`: prints every figure with the
 * original's value, the ratio and whether the goal is met. Sections run in this process except
 * where they start servers of their own (loopback only, bounded in time and count).
 */
import { numericsFigures } from './numerics.ts';
import { envFigures } from './env.ts';
import { storeFigures } from './store.ts';
import { strategyFigures } from './strategies.ts';
import { printTable, ratioOf, metOf, type Figure } from './report.ts';
import { serverSections } from './server.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;

type Section = { name: string; run: (quick: boolean) => Promise<Figure[]> | Figure[] };
const sections: Section[] = [
  { name: 'numerics', run: numericsFigures },
  { name: 'env', run: envFigures },
  { name: 'strategies', run: strategyFigures },
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
if (json) {
  console.log(JSON.stringify(figures.map((f) => ({ ...f, ratio: ratioOf(f), met: metOf(f) }))));
} else {
  printTable(figures);
}
