/**
 * The package.json of the published tarball, written around `npm pack` / `npm publish`.
 *
 * In the repository the package's exports point at the TypeScript sources (src/), so imports of
 * `dataselectenv`, `dataselectenv/client`, … work on a fresh clone without a build and can never
 * resolve to stale compiled output. Node does not strip types under node_modules, so the tarball
 * must point at the compiled dist/ instead, and it must not carry the repository's scripts (its
 * `prepare` builds the console with Vite, which an installed package does not have).
 *
 *   node tools/pack-manifest.ts write     (prepack)  package.json → the tarball's, original kept aside
 *   node tools/pack-manifest.ts restore   (postpack) the original back
 *
 * `write` restores first if a previous pack was interrupted, so the source manifest is never lost.
 *
 * The checkout's manifest has no `engines`: npm (run by the bootstrap Node 20) warns EBADENGINE
 * whenever it installs a package whose `engines` it does not meet, and `npx dataselectenv` in a
 * clone installs the checkout itself into npx's cache. The tarball's `engines` states the run-time
 * need instead, derived from the pinned `node` devDependency so there is one source for it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = path.join(ROOT, 'package.json');
const BACKUP = path.join(ROOT, '.package.json.prepack');

type Exports = Record<string, string | { types?: string; default: string }>;

/** `./src/x/index.ts` → `{types: ./dist/x/index.d.ts, default: ./dist/x/index.js}`. */
export function toDist(target: string): string | { types: string; default: string } {
  const m = /^\.\/src\/(.+)\.ts$/.exec(target);
  if (!m) return target;
  return { types: `./dist/${m[1]}.d.ts`, default: `./dist/${m[1]}.js` };
}

/** `^24.9.0` (the pinned `node` devDependency) → `>=24`: the major the sources are run and tested on. */
export function runtimeEngine(pkg: Record<string, unknown>): string {
  const pinned = (pkg.devDependencies as Record<string, string> | undefined)?.node;
  const major = pinned === undefined ? undefined : /(\d+)/.exec(pinned)?.[1];
  if (major === undefined) throw new Error('package.json: no pinned `node` devDependency to derive engines from');
  return `>=${major}`;
}

/** The tarball's manifest from the repository's. */
export function packedManifest(pkg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...pkg };
  out.exports = Object.fromEntries(Object.entries(pkg.exports as Exports).map(([k, v]) => [k, typeof v === 'string' ? toDist(v) : v]));
  const types = toDist(String(pkg.types));
  out.types = typeof types === 'string' ? types : types.types;
  // Scripts, dev tooling and the install-script allowance belong to the repository only.
  delete out.scripts;
  delete out.devDependencies;
  delete out.allowScripts;
  delete out.devEngines;
  out.engines = { node: runtimeEngine(pkg) };
  return out;
}

function restore(): void {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
}

const command = process.argv[1] === fileURLToPath(import.meta.url) ? process.argv[2] : undefined;
if (command === 'write') {
  restore();
  const text = readFileSync(MANIFEST, 'utf8');
  writeFileSync(BACKUP, text);
  writeFileSync(MANIFEST, `${JSON.stringify(packedManifest(JSON.parse(text)), null, 2)}\n`);
} else if (command === 'restore') {
  restore();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stderr.write('usage: node tools/pack-manifest.ts write|restore\n');
  process.exit(2);
}
