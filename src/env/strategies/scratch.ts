/**
 * Growable scratch buffers shared by the strategies (selections are synchronous, so one set per
 * process suffices). A buffer keeps its largest size; callers use only the prefix they need.
 */
const floats = new Map<string, Float64Array>();
const ints = new Map<string, Int32Array>();

/** The buffer `name` of `buffers`, first replaced by a new one of max(n, 16, twice its length) elements when it is shorter than `n`. */
function scratch<B extends Float64Array | Int32Array>(buffers: Map<string, B>, ArrayType: new (length: number) => B, name: string, n: number): B {
  let b = buffers.get(name);
  if (!b || b.length < n) {
    b = new ArrayType(Math.max(n, 16, b ? b.length * 2 : 0));
    buffers.set(name, b);
  }
  return b;
}

export function floatScratch(name: string, n: number): Float64Array {
  return scratch(floats, Float64Array, name, n);
}

export function intScratch(name: string, n: number): Int32Array {
  return scratch(ints, Int32Array, name, n);
}
