/**
 * Growable scratch buffers shared by the strategies (selections are synchronous, so one set per
 * process suffices). A buffer keeps its largest size; callers use only the prefix they need.
 */
const floats = new Map<string, Float64Array>();
const ints = new Map<string, Int32Array>();

export function floatScratch(name: string, n: number): Float64Array {
  let b = floats.get(name);
  if (!b || b.length < n) {
    b = new Float64Array(Math.max(n, 16, b ? b.length * 2 : 0));
    floats.set(name, b);
  }
  return b;
}

export function intScratch(name: string, n: number): Int32Array {
  let b = ints.get(name);
  if (!b || b.length < n) {
    b = new Int32Array(Math.max(n, 16, b ? b.length * 2 : 0));
    ints.set(name, b);
  }
  return b;
}
