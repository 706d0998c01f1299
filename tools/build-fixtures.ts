/**
 * Rebuilds the fixture bundles in fixtures/ from a reference folder in the original layout
 * (`golden/`, `curation/`), e.g. `npm run fixtures:build -- path/to/reference`. Only the files
 * the tests and `replay` read are bundled; each keeps its exact bytes. The output is deterministic
 * (sorted paths, fixed gzip level, no timestamps), so an unchanged source gives an unchanged file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BUNDLE_FORMAT, type Family } from '../src/fixtures/bundle.ts';

const OUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Bundle file → family, source folder and the files (or folders of *.json) it holds. */
const BUNDLES: { name: string; family: Family; from: string; include: string[] }[] = [
  { name: 'classic', family: 'classic', from: 'golden', include: ['traces/', 'MANIFEST.json', 'baseline.json'] },
  { name: 'classic-debug', family: 'classic', from: 'golden', include: ['debug/'] },
  { name: 'curation', family: 'curation', from: 'curation', include: ['traces/', 'traces-MANIFEST.json', 'anchors.json'] },
];

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: npm run fixtures:build -- REFERENCE_DIR   (a folder holding golden/ and curation/)\n');
  process.exit(2);
}

for (const b of BUNDLES) {
  const root = path.resolve(source, b.from);
  const files: string[] = [];
  for (const inc of b.include) {
    if (inc.endsWith('/')) {
      for (const f of readdirSync(path.join(root, inc)).sort()) if (f.endsWith('.json')) files.push(inc + f);
    } else files.push(inc);
  }
  files.sort();
  const lines = [JSON.stringify({ format: BUNDLE_FORMAT, family: b.family, files: files.length })];
  for (const f of files) lines.push(JSON.stringify({ path: f, text: readFileSync(path.join(root, f), 'utf8') }));
  const gz = gzipSync(`${lines.join('\n')}\n`, { level: 9 });
  const out = path.join(OUT_DIR, `${b.name}.jsonl.gz`);
  writeFileSync(out, gz);
  process.stdout.write(`${path.relative(process.cwd(), out)}: ${files.length} files, ${(gz.length / 1024).toFixed(0)} KiB\n`);
}
