/**
 * A minimal WebAssembly assembler: enough of the binary format (types, functions, one memory,
 * exports, code) to build small numeric kernels from instruction lists written in TypeScript.
 * No toolchain and no prebuilt binary: the module bytes are produced here, at load time.
 *
 * An instruction is a mnemonic with its immediates, e.g. `['i32.load', 4]` (offset 4),
 * `['f64.const', 0.5]`, `['local.get', 'x']` (locals by name), `['block']`, `['br_if', 0]`.
 */

export type ValType = 'i32' | 'i64' | 'f64' | 'v128';
export type Instr = readonly [string, ...(string | number | bigint)[]];

export interface FuncDef {
  name: string;
  params: readonly (readonly [string, ValType])[];
  results: readonly ValType[];
  locals: readonly (readonly [string, ValType])[];
  body: readonly Instr[];
  export?: boolean;
}

const TYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f64: 0x7c, v128: 0x7b };

/** Opcodes without immediates. */
const PLAIN: Record<string, number> = {
  return: 0x0f, select: 0x1b, drop: 0x1a, end: 0x0b, else: 0x05,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49,
  'i32.gt_s': 0x4a, 'i32.gt_u': 0x4b, 'i32.le_s': 0x4c, 'i32.le_u': 0x4d, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'f64.eq': 0x61, 'f64.ne': 0x62, 'f64.lt': 0x63, 'f64.gt': 0x64, 'f64.le': 0x65, 'f64.ge': 0x66,
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i32.and': 0x71, 'i32.or': 0x72, 'i32.xor': 0x73,
  'i32.shl': 0x74, 'i32.shr_s': 0x75, 'i32.shr_u': 0x76,
  'i64.and': 0x83, 'i64.or': 0x84, 'i64.shl': 0x86, 'i64.shr_u': 0x88,
  'i64.add': 0x7c, 'i64.sub': 0x7d,
  'f64.abs': 0x99, 'f64.neg': 0x9a, 'f64.sqrt': 0x9f, 'f64.min': 0xa4, 'f64.max': 0xa5, 'f64.add': 0xa0, 'f64.sub': 0xa1, 'f64.mul': 0xa2, 'f64.div': 0xa3,
  'i32.wrap_i64': 0xa7, 'i32.trunc_f64_s': 0xaa, 'i64.extend_i32_s': 0xac, 'i64.extend_i32_u': 0xad, 'f64.convert_i32_s': 0xb7, 'f64.convert_i32_u': 0xb8,
  'i64.reinterpret_f64': 0xbd, 'f64.reinterpret_i64': 0xbf,
};
/** Loads and stores: opcode and natural alignment (log2 bytes); the immediate is the offset. */
const MEM: Record<string, [number, number]> = {
  'i32.load': [0x28, 2], 'f64.load': [0x2b, 3], 'i32.store': [0x36, 2], 'f64.store': [0x39, 3],
  'i32.load8_u': [0x2d, 0], 'i32.store8': [0x3a, 0], 'i64.store': [0x37, 3],
};

/**
 * SIMD (0xfd prefix) opcodes without immediates; `v128.load`/`v128.store` take an offset and
 * `f64x2.extract_lane`/`replace_lane` a lane. Only IEEE-exact lane-wise operations are listed
 * (no relaxed SIMD: its multiply-add may fuse).
 */
const SIMD: Record<string, number> = {
  'i32x4.splat': 0x11, 'f64x2.splat': 0x14, 'v128.and': 0x4e, 'v128.or': 0x50, 'v128.xor': 0x51, 'v128.bitselect': 0x52,
  'i32x4.shl': 0xab, 'i32x4.shr_s': 0xac, 'i32x4.shr_u': 0xad, 'f64x2.add': 0xf0, 'f64x2.sub': 0xf1, 'f64x2.mul': 0xf2, 'f64x2.div': 0xf3,
};
const SIMD_MEM: Record<string, number> = { 'v128.load': 0x00, 'v128.store': 0x0b };
const SIMD_LANE: Record<string, number> = { 'f64x2.extract_lane': 0x21, 'f64x2.replace_lane': 0x22 };

/**
 * `f` inlined at a call site: consumes its single parameter from the stack and leaves its single
 * result, its locals renamed with `prefix` (declare them with `inlinedLocals(f, prefix)`), each
 * `return` turned into a branch out of a block (a kernel's hot loop then pays no call).
 */
export function inlined(f: FuncDef, prefix: string): Instr[] {
  if (f.params.length !== 1 || f.results.length !== 1) throw new Error(`wasm-asm: ${f.name} must take one value and return one to be inlined`);
  const out: Instr[] = [['local.set', `${prefix}${f.params[0][0]}`], ['block', f.results[0]]];
  let depth = 0;
  for (const ins of f.body) {
    const [op, a] = ins;
    if (op === 'block' || op === 'loop' || op === 'if') depth++;
    else if (op === 'end') depth--;
    if (op === 'return') out.push(['br', depth]);
    else if (op === 'local.get' || op === 'local.set' || op === 'local.tee') out.push([op, `${prefix}${String(a)}`]);
    else out.push(ins);
  }
  out.push(['end']);
  return out;
}

/** The locals an `inlined(f, prefix)` copy needs. */
export function inlinedLocals(f: FuncDef, prefix: string): (readonly [string, ValType])[] {
  return [...f.params, ...f.locals].map(([n, t]) => [`${prefix}${n}`, t] as const);
}

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(v: bigint, out: number[]): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  out.push(...body);
}

function vec<T>(items: readonly T[], each: (t: T, out: number[]) => void, out: number[]): void {
  uleb(items.length, out);
  for (const t of items) each(t, out);
}

function encodeBody(f: FuncDef, funcIndex: Map<string, number>): number[] {
  const localIndex = new Map<string, number>();
  let n = 0;
  for (const [nm] of f.params) localIndex.set(nm, n++);
  for (const [nm] of f.locals) localIndex.set(nm, n++);
  const out: number[] = [];
  vec(f.locals, ([, t], o) => { o.push(1, TYPE[t]); }, out);
  const f64 = new Float64Array(1);
  const f64Bytes = new Uint8Array(f64.buffer);
  for (const ins of f.body) {
    const [op, a] = ins;
    if (op in PLAIN) out.push(PLAIN[op]);
    else if (op in SIMD) {
      out.push(0xfd);
      uleb(SIMD[op], out);
    } else if (op in SIMD_MEM) {
      out.push(0xfd);
      uleb(SIMD_MEM[op], out);
      uleb(3, out); // alignment hint 8 bytes: the kernels' vectors are doubles pairs on 8-byte boundaries
      uleb(Number(a ?? 0), out);
    } else if (op in SIMD_LANE) {
      out.push(0xfd);
      uleb(SIMD_LANE[op], out);
      out.push(Number(a));
    } else if (op in MEM) {
      const [code, align] = MEM[op];
      out.push(code);
      uleb(align, out);
      uleb(Number(a ?? 0), out);
    } else if (op === 'local.get' || op === 'local.set' || op === 'local.tee') {
      const idx = localIndex.get(String(a));
      if (idx === undefined) throw new Error(`wasm-asm: unknown local ${String(a)} in ${f.name}`);
      out.push(op === 'local.get' ? 0x20 : op === 'local.set' ? 0x21 : 0x22);
      uleb(idx, out);
    } else if (op === 'i32.const') {
      out.push(0x41);
      sleb(BigInt(Number(a) | 0), out);
    } else if (op === 'i64.const') {
      out.push(0x42);
      sleb(BigInt.asIntN(64, BigInt(a as bigint | number)), out);
    } else if (op === 'f64.const') {
      out.push(0x44);
      f64[0] = Number(a);
      out.push(...f64Bytes);
    } else if (op === 'block' || op === 'loop' || op === 'if') {
      out.push(op === 'block' ? 0x02 : op === 'loop' ? 0x03 : 0x04);
      out.push(a === undefined ? 0x40 : TYPE[a as ValType]);
    } else if (op === 'br' || op === 'br_if') {
      out.push(op === 'br' ? 0x0c : 0x0d);
      uleb(Number(a), out);
    } else if (op === 'call') {
      const idx = funcIndex.get(String(a));
      if (idx === undefined) throw new Error(`wasm-asm: unknown function ${String(a)}`);
      out.push(0x10);
      uleb(idx, out);
    } else {
      throw new Error(`wasm-asm: unknown instruction ${op}`);
    }
  }
  out.push(0x0b);
  return out;
}

/** Assembles a module with one exported memory of `pages` 64 KiB pages and the given functions. */
export function assemble(funcs: readonly FuncDef[], pages: number): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const types: number[] = [];
  vec(funcs, (f, o) => {
    o.push(0x60);
    vec(f.params, ([, t], oo) => { oo.push(TYPE[t]); }, o);
    vec(f.results, (t, oo) => { oo.push(TYPE[t]); }, o);
  }, types);
  section(1, types, out);
  const fsec: number[] = [];
  vec(funcs, (_f, o) => { uleb(funcs.indexOf(_f), o); }, fsec);
  section(3, fsec, out);
  const mem: number[] = [];
  vec([pages], (p, o) => { o.push(0x00); uleb(p, o); }, mem);
  section(5, mem, out);
  const exports = funcs.filter((f) => f.export);
  const esec: number[] = [];
  uleb(exports.length + 1, esec);
  name('memory', esec);
  esec.push(0x02, 0x00);
  for (const f of exports) {
    name(f.name, esec);
    esec.push(0x00);
    uleb(funcIndex.get(f.name)!, esec);
  }
  section(7, esec, out);
  const code: number[] = [];
  vec(funcs, (f, o) => {
    const body = encodeBody(f, funcIndex);
    uleb(body.length, o);
    o.push(...body);
  }, code);
  section(10, code, out);
  return Uint8Array.from(out);
}
