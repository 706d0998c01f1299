/**
 * Reading a classification data set from CSV text into a `Dataset` (docs/datasets.md): numeric
 * feature columns and one label column. Two layouts:
 *
 * - a user's CSV: a header row naming the columns, then one row per item; the label column is
 *   named (`--label-column`); every other column is a feature and must be numeric;
 * - scikit-learn's bundled layout (the built-in sets): a first row `n_samples,n_features,class
 *   names…` (or no header at all), features, then the integer class in the last column.
 *
 * Every problem is a `DatasetError` naming the file, the row (1-based, as an editor shows it,
 * the header being row 1) and the column: a missing label, a non-numeric feature, a row of the
 * wrong length, a single class, too few rows.
 */

export type DatasetErrorReason =
  | 'not_found'
  | 'unreadable'
  | 'empty'
  | 'no_label_column'
  | 'ragged_row'
  | 'missing_label'
  | 'missing_value'
  | 'non_numeric'
  | 'one_class'
  | 'too_many_classes'
  | 'too_few_rows'
  | 'unknown_dataset';

/** A data set that cannot be used; `INPUT_ERROR` like the other user-file errors (CLI exit 2). */
export class DatasetError extends Error {
  readonly code = 'INPUT_ERROR';
  readonly reason: DatasetErrorReason;
  /** 1-based file row (the header is row 1) and the column's name, when the problem has them. */
  readonly row: number | null;
  readonly column: string | null;
  constructor(reason: DatasetErrorReason, message: string, where: { row?: number; column?: string } = {}) {
    super(message);
    this.name = 'DatasetError';
    this.reason = reason;
    this.row = where.row ?? null;
    this.column = where.column ?? null;
  }
}

/** A labelled classification data set: raw (unscaled) features and class indices. */
export interface Dataset {
  /** Short id (`iris`, or `csv-NAME` for a user's file). */
  id: string;
  title: string;
  nRows: number;
  nFeatures: number;
  nClasses: number;
  /** nRows × nFeatures, row-major, file order. */
  X: Float64Array;
  /** Class index of each row, in [0, nClasses). */
  y: Uint8Array;
  classNames: readonly string[];
  featureNames: readonly string[];
  /** Where the data came from, for /tasks and the docs. */
  source: string;
}

/** The most classes a data set may have (labels are stored as bytes; strategies scale with K). */
export const MAX_CLASSES = 50;

/** Splits one CSV line (RFC 4180 quotes; no newlines inside quotes). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(cell: string): number | null {
  const t = cell.trim();
  if (!NUMBER.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Lines of the text without a trailing empty line; `\r\n` accepted. */
function linesOf(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

export interface UserCsvOptions {
  /** The label column's name (as in the header), or its 0-based index as digits. */
  labelColumn: string;
  /** The data set's id (default `csv-` + the file's base name). */
  id: string;
  /** The file, for messages. */
  origin: string;
}

/**
 * A user's CSV: header row, then items. Labels are any non-empty strings (classes numbered in
 * sorted order: numerically when every label is a number, else by code unit). Empty lines are
 * refused where they would shift the row numbers silently (inside the data).
 */
export function parseUserCsv(text: string, o: UserCsvOptions): Dataset {
  const lines = linesOf(text);
  if (lines.length === 0) throw new DatasetError('empty', `${o.origin}: the file is empty`);
  const header = splitCsvLine(lines[0]).map((h) => h.trim());
  let labelIndex = header.indexOf(o.labelColumn);
  if (labelIndex < 0 && /^\d+$/.test(o.labelColumn) && Number(o.labelColumn) < header.length) labelIndex = Number(o.labelColumn);
  if (labelIndex < 0) {
    throw new DatasetError(
      'no_label_column',
      `${o.origin}: no column '${o.labelColumn}' in the header (columns: ${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''})`,
      { row: 1, column: o.labelColumn },
    );
  }
  if (header.length < 2) throw new DatasetError('empty', `${o.origin}: no feature columns besides the label column '${header[labelIndex]}'`, { row: 1 });
  const featureNames = header.filter((_, j) => j !== labelIndex);
  const d = featureNames.length;
  const n = lines.length - 1;
  const X = new Float64Array(n * d);
  const rawLabels: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = i + 2;
    const cells = splitCsvLine(lines[i + 1]);
    if (cells.length !== header.length) {
      throw new DatasetError('ragged_row', `${o.origin}: row ${row} has ${cells.length} cells, the header has ${header.length}`, { row });
    }
    let f = 0;
    for (let j = 0; j < cells.length; j++) {
      if (j === labelIndex) {
        const label = cells[j].trim();
        if (label === '') throw new DatasetError('missing_label', `${o.origin}: row ${row}: missing label in column '${header[j]}'`, { row, column: header[j] });
        rawLabels[i] = label;
        continue;
      }
      const cell = cells[j];
      if (cell.trim() === '') throw new DatasetError('missing_value', `${o.origin}: row ${row}, column '${header[j]}': missing value (features must be numbers)`, { row, column: header[j] });
      const v = parseNumber(cell);
      if (v === null) {
        throw new DatasetError('non_numeric', `${o.origin}: row ${row}, column '${header[j]}': '${cell.trim().slice(0, 40)}' is not a finite number (features must be numeric)`, { row, column: header[j] });
      }
      X[i * d + f++] = v;
    }
  }
  if (n === 0) throw new DatasetError('empty', `${o.origin}: a header but no data rows`, { row: 2 });
  const distinct = [...new Set(rawLabels)];
  const numeric = distinct.every((l) => parseNumber(l) !== null);
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (distinct.length < 2) {
    throw new DatasetError('one_class', `${o.origin}: column '${header[labelIndex]}' has one class only ('${distinct[0]}'); a classification task needs at least two`, { column: header[labelIndex] });
  }
  if (distinct.length > MAX_CLASSES) {
    throw new DatasetError('too_many_classes', `${o.origin}: column '${header[labelIndex]}' has ${distinct.length} classes (at most ${MAX_CLASSES})`, { column: header[labelIndex] });
  }
  const index = new Map(distinct.map((l, k) => [l, k]));
  const y = Uint8Array.from(rawLabels, (l) => index.get(l)!);
  return { id: o.id, title: o.id, nRows: n, nFeatures: d, nClasses: distinct.length, X, y, classNames: distinct, featureNames, source: o.origin };
}

export interface SklearnCsvOptions {
  id: string;
  title: string;
  source: string;
  origin: string;
  /** The file has no header row (digits.csv.gz). */
  headerless?: boolean;
  /** Class names when the file has no header naming them. */
  classNames?: readonly string[];
  featureNames?: readonly string[];
}

/** scikit-learn's bundled layout: `n_samples,n_features,class names…`, rows of features then the class. */
export function parseSklearnCsv(text: string, o: SklearnCsvOptions): Dataset {
  const lines = linesOf(text);
  let classNames: readonly string[] = o.classNames ?? [];
  let start = 0;
  let expectRows = -1;
  let d = -1;
  if (!o.headerless) {
    const h = splitCsvLine(lines[0]);
    expectRows = Number(h[0]);
    d = Number(h[1]);
    classNames = h.slice(2).map((s) => s.trim());
    start = 1;
  } else {
    d = splitCsvLine(lines[0]).length - 1;
  }
  const n = lines.length - start;
  if (expectRows >= 0 && n !== expectRows) throw new DatasetError('ragged_row', `${o.origin}: header says ${expectRows} rows, the file has ${n}`);
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cells = splitCsvLine(lines[start + i]);
    if (cells.length !== d + 1) throw new DatasetError('ragged_row', `${o.origin}: row ${start + i + 1} has ${cells.length} cells, expected ${d + 1}`, { row: start + i + 1 });
    for (let j = 0; j < d; j++) {
      const v = parseNumber(cells[j]);
      if (v === null) throw new DatasetError('non_numeric', `${o.origin}: row ${start + i + 1}, column ${j}: not a number`, { row: start + i + 1, column: String(j) });
      X[i * d + j] = v;
    }
    const c = parseNumber(cells[d]);
    if (c === null || !Number.isInteger(c) || c < 0 || c >= classNames.length) {
      throw new DatasetError('missing_label', `${o.origin}: row ${start + i + 1}: class '${cells[d]}' is not one of 0…${classNames.length - 1}`, { row: start + i + 1 });
    }
    y[i] = c;
  }
  const featureNames = o.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  return { id: o.id, title: o.title, nRows: n, nFeatures: d, nClasses: classNames.length, X, y, classNames, featureNames, source: o.source };
}
