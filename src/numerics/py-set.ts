/**
 * Iteration order of a CPython 3.11 `set` of small non-negative ints built by successive
 * `set.update(list)` calls (docs/numerics.md §8).
 *
 * The hash of such an int is the int itself; the table is open-addressed with 10-slot linear
 * runs (when they fit before the end) and perturbed probing, grows when fill·5 ≥ mask·3 to the
 * smallest power of two above used·4, and iterates its slots from 0 upwards.
 */

const MIN_SIZE = 8;
const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;
const EMPTY = -1;

export class PySet {
  private table: Int32Array;
  private mask: number;
  private fill = 0;
  /** Tables by size, kept for reuse: a set cleared and refilled every step allocates nothing. */
  private readonly spare = new Map<number, Int32Array>();

  constructor() {
    this.table = this.emptyTable(MIN_SIZE);
    this.mask = MIN_SIZE - 1;
  }

  private emptyTable(size: number): Int32Array {
    let t = this.spare.get(size);
    if (!t) {
      t = new Int32Array(size);
      this.spare.set(size, t);
    }
    return t.fill(EMPTY);
  }

  get size(): number {
    return this.fill;
  }

  /** Clears the set back to 8 empty slots. */
  clear(): void {
    this.table = this.emptyTable(MIN_SIZE);
    this.mask = MIN_SIZE - 1;
    this.fill = 0;
  }

  /** `set.add(k)` for 0 ≤ k < 2^31. */
  add(key: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = key & mask;
    let perturb = key;
    for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const slotKey = table[i + j];
        if (slotKey === EMPTY) {
          table[i + j] = key;
          this.fill++;
          if (this.fill * 5 >= mask * 3) this.resize(this.fill > 50000 ? this.fill * 2 : this.fill * 4);
          return;
        }
        if (slotKey === key) return;
      }
      perturb >>>= PERTURB_SHIFT;
      i = (i * 5 + 1 + perturb) & mask;
    }
  }

  /** `set.update(list)`: adds the items in list order. */
  update(keys: ArrayLike<number>, n = keys.length): void {
    for (let k = 0; k < n; k++) this.add(keys[k]);
  }

  private resize(minUsed: number): void {
    let newSize = MIN_SIZE;
    while (newSize <= minUsed) newSize *= 2;
    const old = this.table;
    const table = this.emptyTable(newSize);
    const mask = newSize - 1;
    for (let s = 0; s < old.length; s++) {
      const key = old[s];
      if (key !== EMPTY) insertClean(table, mask, key);
    }
    this.table = table;
    this.mask = mask;
  }

  /** Writes `list(set)` into `out` and returns the count. */
  listInto(out: Int32Array): number {
    let n = 0;
    const table = this.table;
    for (let s = 0; s < table.length; s++) if (table[s] !== EMPTY) out[n++] = table[s];
    return n;
  }

  toList(): number[] {
    const out = new Int32Array(this.fill);
    this.listInto(out);
    return Array.from(out);
  }
}

function insertClean(table: Int32Array, mask: number, key: number): void {
  let i = key & mask;
  let perturb = key;
  for (;;) {
    const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
    for (let j = 0; j <= probes; j++) {
      if (table[i + j] === EMPTY) {
        table[i + j] = key;
        return;
      }
    }
    perturb >>>= PERTURB_SHIFT;
    i = (i * 5 + 1 + perturb) & mask;
  }
}

/** `list(s)` for `s = set(); s.update(a); s.update(b); …`. */
export function pySetOrder(...updates: ArrayLike<number>[]): number[] {
  const s = new PySet();
  for (const u of updates) s.update(u);
  return s.toList();
}
