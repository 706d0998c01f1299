/**
 * The one data-set registry: the four built-in sets vendored in `datasets/` (scikit-learn's
 * copies of the UCI sets; datasets/README.md gives their sources and licences) and the user's
 * CSV files registered at start-up (`--dataset FILE --label-column COL`). Files are read lazily,
 * on first use, and parsed once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { BUILTIN_DATASETS, BUILTIN_DATASET_IDS } from './builtin.ts';
import { DatasetError, parseSklearnCsv, parseUserCsv, type Dataset } from './csv.ts';

export { BUILTIN_DATASETS, BUILTIN_DATASET_IDS, type BuiltinDatasetInfo } from './builtin.ts';

/**
 * The folder holding the built-in files: `DATASELECTENV_DATASETS` if set, else the first
 * `datasets/` folder with `iris.csv.gz` found walking up from this module (the repository, an
 * installed package, or the bundled server in build/server/ all find theirs).
 */
export function datasetsDir(): string {
  const fromEnv = process.env.DATASELECTENV_DATASETS;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'datasets');
    if (existsSync(path.join(candidate, 'iris.csv.gz'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve('datasets');
}

const loaded = new Map<string, Dataset>();
const user = new Map<string, { file: string; labelColumn: string; dataset: Dataset }>();

function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new DatasetError(code === 'ENOENT' ? 'not_found' : 'unreadable', `${file}: ${code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new DatasetError('unreadable', `${file}: not a valid gzip file`);
    }
  }
  return bytes.toString('utf8');
}

/** A built-in set or a registered user set by id; throws `unknown_dataset` naming the valid ids. */
export function getDataset(id: string): Dataset {
  const u = user.get(id);
  if (u) return u.dataset;
  const hit = loaded.get(id);
  if (hit) return hit;
  const info = BUILTIN_DATASETS.find((d) => d.id === id);
  if (!info) throw new DatasetError('unknown_dataset', `unknown data set '${id}' (built-in: ${BUILTIN_DATASET_IDS.join(', ')})`);
  const file = path.join(datasetsDir(), info.file);
  const ds = parseSklearnCsv(readText(file), {
    id: info.id,
    title: info.title,
    source: info.source,
    origin: file,
    headerless: info.headerless,
    classNames: info.classNames,
  });
  loaded.set(id, ds);
  return ds;
}

/** `csv-` + the file's base name without extensions, lower-case, other characters as `-`. */
export function userDatasetId(file: string): string {
  const base = path.basename(file).replace(/(\.csv)?(\.gz)?$/i, '');
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `csv-${slug || 'data'}`;
}

/** Reads and validates a user's CSV (plain or gzipped). Does not register it. */
export function readUserDataset(file: string, labelColumn: string, id = userDatasetId(file)): Dataset {
  return parseUserCsv(readText(file), { labelColumn, id, origin: file });
}

/** Registers a user's CSV under its id (re-registering the same file and column is a no-op). */
export function registerUserDataset(file: string, labelColumn: string, id = userDatasetId(file)): Dataset {
  const existing = user.get(id);
  if (existing && existing.file === path.resolve(file) && existing.labelColumn === labelColumn) return existing.dataset;
  if (BUILTIN_DATASET_IDS.includes(id)) throw new DatasetError('unknown_dataset', `data set id '${id}' is a built-in set's`);
  const dataset = readUserDataset(file, labelColumn, id);
  user.set(id, { file: path.resolve(file), labelColumn, dataset });
  return dataset;
}
