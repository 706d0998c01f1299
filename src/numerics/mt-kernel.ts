/**
 * WebAssembly kernels for the MT19937 hot loops (docs/numerics.md §1): the twist with its
 * tempering, and the legacy polar gaussian (rejection loop, log, square root) in pairs. They do
 * exactly the operations of the TypeScript paths in random-state.ts, in the same order, on
 * IEEE-754 doubles (WebAssembly has no fused multiply-add and no excess precision), so every
 * output is bit-identical; test/numerics/mt-kernel.test.ts checks that against the TypeScript
 * path and against `Math.log`.
 *
 * `log` is the fdlibm `__ieee754_log` that V8's `Math.log` runs (same constants, same steps),
 * restricted to positive normal inputs: the polar method only takes logs of r² = x1² + x2² with
 * x1, x2 multiples of 2⁻⁵², so r² ∈ [2⁻¹⁰⁴, 1).
 *
 * The module is assembled at load time by wasm-asm.ts from the instruction lists below.
 */
import { assemble, inlined, inlinedLocals, type FuncDef, type Instr } from './wasm-asm.ts';

const N = 624;
const M = 397;
/** Byte offsets in the kernel's memory. */
export const WORDS_AT = 0;
export const TEMPERED_AT = N * 4;
export const OUT_AT = 8192;
/** Capacity of the output area in doubles (pairs × 2). */
export const OUT_DOUBLES = 8192;
const PAGES = Math.ceil((OUT_AT + OUT_DOUBLES * 8) / 65536);

const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TEMPER_B = 0x9d2c5680 | 0;
const TEMPER_C = 0xefc60000 | 0;

type Code = Instr[];
const get = (n: string): Instr => ['local.get', n];
const set = (n: string): Instr => ['local.set', n];
const i32 = (v: number): Instr => ['i32.const', v];
const f64 = (v: number): Instr => ['f64.const', v];

/**
 * One twist step for the word at byte address `p`: reads `cur` (word i) and word i+1 at
 * `nextAddr`, word i+M at `mAddr`, stores the new word and its tempered output.
 */
function twistStep(nextAddr: Code, mAddr: Code): Code {
  return [
    ...nextAddr, ['i32.load', WORDS_AT], set('nx'),
    // y = (cur & UPPER) | (nx & LOWER)
    get('cur'), i32(UPPER_MASK), ['i32.and'], get('nx'), i32(LOWER_MASK), ['i32.and'], ['i32.or'], set('y'),
    // v = key[i+M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A)
    ...mAddr, ['i32.load', WORDS_AT],
    get('y'), i32(1), ['i32.shr_u'], ['i32.xor'],
    get('y'), i32(31), ['i32.shl'], i32(31), ['i32.shr_s'], i32(MATRIX_A), ['i32.and'], ['i32.xor'],
    set('v'),
    get('p'), get('v'), ['i32.store', WORDS_AT],
    // tempering
    get('v'), get('v'), i32(11), ['i32.shr_u'], ['i32.xor'], set('v'),
    get('v'), get('v'), i32(7), ['i32.shl'], i32(TEMPER_B), ['i32.and'], ['i32.xor'], set('v'),
    get('v'), get('v'), i32(15), ['i32.shl'], i32(TEMPER_C), ['i32.and'], ['i32.xor'], set('v'),
    get('v'), get('v'), i32(18), ['i32.shr_u'], ['i32.xor'], set('v'),
    get('p'), get('v'), ['i32.store', TEMPERED_AT],
    get('nx'), set('cur'),
  ];
}

/**
 * Four twist steps at once (i32x4 lanes i … i+3 at byte address `p`): the same integer
 * operations lane by lane. Valid where words i+1 … i+4 are not yet replaced (they are read
 * before the store) and the partners at `mAddr` are the ones the one-at-a-time order reads.
 */
function twistStep4(mAddr: Code): Code {
  return [
    // y = (cur & UPPER) | (next & LOWER)
    get('p'), ['v128.load', WORDS_AT], get('upper'), ['v128.and'],
    get('p'), ['v128.load', WORDS_AT + 4], get('lower'), ['v128.and'], ['v128.or'], set('vy'),
    // v = key[i+M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A)
    ...mAddr, ['v128.load', WORDS_AT],
    get('vy'), i32(1), ['i32x4.shr_u'], ['v128.xor'],
    get('vy'), i32(31), ['i32x4.shl'], i32(31), ['i32x4.shr_s'], get('matrixA'), ['v128.and'], ['v128.xor'],
    set('vv'),
    get('p'), get('vv'), ['v128.store', WORDS_AT],
    get('vv'), get('vv'), i32(11), ['i32x4.shr_u'], ['v128.xor'], set('vv'),
    get('vv'), get('vv'), i32(7), ['i32x4.shl'], get('temperB'), ['v128.and'], ['v128.xor'], set('vv'),
    get('vv'), get('vv'), i32(15), ['i32x4.shl'], get('temperC'), ['v128.and'], ['v128.xor'], set('vv'),
    get('vv'), get('vv'), i32(18), ['i32x4.shr_u'], ['v128.xor'], set('vv'),
    get('p'), get('vv'), ['v128.store', TEMPERED_AT],
  ];
}

/** Whole groups of four in [0, N−M) and [N−M, N−1); the three left over and word N−1 one at a time. */
const FIRST_GROUPS = Math.floor((N - M) / 4) * 4;
const SECOND_END = N - M + Math.floor((M - 1) / 4) * 4;

const twist: FuncDef = {
  name: 'twist',
  params: [],
  results: [],
  locals: [
    ['p', 'i32'], ['cur', 'i32'], ['nx', 'i32'], ['y', 'i32'], ['v', 'i32'],
    ['upper', 'v128'], ['lower', 'v128'], ['matrixA', 'v128'], ['temperB', 'v128'], ['temperC', 'v128'], ['vy', 'v128'], ['vv', 'v128'],
  ],
  export: true,
  body: [
    i32(UPPER_MASK), ['i32x4.splat'], set('upper'),
    i32(LOWER_MASK), ['i32x4.splat'], set('lower'),
    i32(MATRIX_A), ['i32x4.splat'], set('matrixA'),
    i32(TEMPER_B), ['i32x4.splat'], set('temperB'),
    i32(TEMPER_C), ['i32x4.splat'], set('temperC'),
    i32(0), set('p'),
    // i in [0, N−M), four at a time: word i+M is at p + 4M (not yet replaced).
    ['block'], ['loop'],
    ...twistStep4([get('p'), i32(4 * M), ['i32.add']]),
    get('p'), i32(16), ['i32.add'], set('p'),
    get('p'), i32(4 * FIRST_GROUPS), ['i32.lt_u'], ['br_if', 0],
    ['end'], ['end'],
    get('p'), ['i32.load', WORDS_AT], set('cur'),
    ['block'], ['loop'],
    get('p'), i32(4 * (N - M)), ['i32.ge_u'], ['br_if', 1],
    ...twistStep([get('p'), i32(4), ['i32.add']], [get('p'), i32(4 * M), ['i32.add']]),
    get('p'), i32(4), ['i32.add'], set('p'),
    ['br', 0],
    ['end'], ['end'],
    // i in [N−M, N−1): word i+M−N is at p − 4(N−M) (already replaced, as in the reference).
    ['block'], ['loop'],
    get('p'), i32(4 * SECOND_END), ['i32.ge_u'], ['br_if', 1],
    ...twistStep4([get('p'), i32(4 * (N - M)), ['i32.sub']]),
    get('p'), i32(16), ['i32.add'], set('p'),
    ['br', 0],
    ['end'], ['end'],
    get('p'), ['i32.load', WORDS_AT], set('cur'),
    ['block'], ['loop'],
    get('p'), i32(4 * (N - 1)), ['i32.ge_u'], ['br_if', 1],
    ...twistStep([get('p'), i32(4), ['i32.add']], [get('p'), i32(4 * (N - M)), ['i32.sub']]),
    get('p'), i32(4), ['i32.add'], set('p'),
    ['br', 0],
    ['end'], ['end'],
    // i = N−1: its successor is word 0 (already replaced, as in the reference), partner M−1.
    ...twistStep([i32(0)], [i32(4 * (M - 1))]),
  ],
};

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** fdlibm `__ieee754_log` for positive normal finite x. */
const log: FuncDef = {
  name: 'log',
  params: [['x', 'f64']],
  results: ['f64'],
  locals: [
    ['hx', 'i32'], ['k', 'i32'], ['i', 'i32'], ['j', 'i32'], ['bits', 'i64'],
    ['f', 'f64'], ['s', 'f64'], ['z', 'f64'], ['w', 'f64'], ['t1', 'f64'], ['t2', 'f64'], ['R', 'f64'], ['hfsq', 'f64'], ['dk', 'f64'],
  ],
  export: true,
  body: [
    get('x'), ['i64.reinterpret_f64'], set('bits'),
    get('bits'), ['i64.const', 32n], ['i64.shr_u'], ['i32.wrap_i64'], set('hx'),
    get('hx'), i32(20), ['i32.shr_s'], i32(1023), ['i32.sub'], set('k'),
    get('hx'), i32(0x000fffff), ['i32.and'], set('hx'),
    get('hx'), i32(0x95f64), ['i32.add'], i32(0x100000), ['i32.and'], set('i'),
    // SET_HIGH_WORD(x, hx | (i ^ 0x3ff00000)): normalise x or x/2.
    get('hx'), get('i'), i32(0x3ff00000), ['i32.xor'], ['i32.or'], ['i64.extend_i32_u'], ['i64.const', 32n], ['i64.shl'],
    get('bits'), ['i64.const', 0xffffffffn], ['i64.and'], ['i64.or'], ['f64.reinterpret_i64'], set('x'),
    get('k'), get('i'), i32(20), ['i32.shr_s'], ['i32.add'], set('k'),
    get('x'), f64(1.0), ['f64.sub'], set('f'),
    get('k'), ['f64.convert_i32_s'], set('dk'),
    // |f| < 2^-20
    i32(0x000fffff), i32(2), get('hx'), ['i32.add'], ['i32.and'], i32(3), ['i32.lt_s'],
    ['if'],
    get('f'), f64(0), ['f64.eq'],
    ['if'],
    get('k'), ['i32.eqz'], ['if'], f64(0), ['return'], ['end'],
    get('dk'), f64(LN2_HI), ['f64.mul'], get('dk'), f64(LN2_LO), ['f64.mul'], ['f64.add'], ['return'],
    ['end'],
    // R = f*f*(0.5 - 0.33333333333333333*f)
    get('f'), get('f'), ['f64.mul'], f64(0.5), f64(0.33333333333333333), get('f'), ['f64.mul'], ['f64.sub'], ['f64.mul'], set('R'),
    get('k'), ['i32.eqz'], ['if'], get('f'), get('R'), ['f64.sub'], ['return'], ['end'],
    get('dk'), f64(LN2_HI), ['f64.mul'], get('R'), get('dk'), f64(LN2_LO), ['f64.mul'], ['f64.sub'], get('f'), ['f64.sub'], ['f64.sub'], ['return'],
    ['end'],
    get('f'), f64(2.0), get('f'), ['f64.add'], ['f64.div'], set('s'),
    get('s'), get('s'), ['f64.mul'], set('z'),
    get('hx'), i32(0x6147a), ['i32.sub'], set('i'),
    get('z'), get('z'), ['f64.mul'], set('w'),
    i32(0x6b851), get('hx'), ['i32.sub'], set('j'),
    // t1 = w*(Lg2+w*(Lg4+w*Lg6)); t2 = z*(Lg1+w*(Lg3+w*(Lg5+w*Lg7)))
    get('w'), f64(LG2), get('w'), f64(LG4), get('w'), f64(LG6), ['f64.mul'], ['f64.add'], ['f64.mul'], ['f64.add'], ['f64.mul'], set('t1'),
    get('z'), f64(LG1), get('w'), f64(LG3), get('w'), f64(LG5), get('w'), f64(LG7), ['f64.mul'], ['f64.add'], ['f64.mul'], ['f64.add'], ['f64.mul'], ['f64.add'], ['f64.mul'], set('t2'),
    get('i'), get('j'), ['i32.or'], set('i'),
    get('t2'), get('t1'), ['f64.add'], set('R'),
    get('i'), i32(0), ['i32.gt_s'],
    ['if'],
    f64(0.5), get('f'), ['f64.mul'], get('f'), ['f64.mul'], set('hfsq'),
    get('k'), ['i32.eqz'],
    ['if'],
    // f - (hfsq - s*(hfsq+R))
    get('f'), get('hfsq'), get('s'), get('hfsq'), get('R'), ['f64.add'], ['f64.mul'], ['f64.sub'], ['f64.sub'], ['return'],
    ['end'],
    // dk*ln2_hi - ((hfsq - (s*(hfsq+R) + dk*ln2_lo)) - f)
    get('dk'), f64(LN2_HI), ['f64.mul'],
    get('hfsq'), get('s'), get('hfsq'), get('R'), ['f64.add'], ['f64.mul'], get('dk'), f64(LN2_LO), ['f64.mul'], ['f64.add'], ['f64.sub'],
    get('f'), ['f64.sub'], ['f64.sub'], ['return'],
    ['end'],
    get('k'), ['i32.eqz'],
    ['if'],
    // f - s*(f-R)
    get('f'), get('s'), get('f'), get('R'), ['f64.sub'], ['f64.mul'], ['f64.sub'], ['return'],
    ['end'],
    // dk*ln2_hi - ((s*(f-R) - dk*ln2_lo) - f)
    get('dk'), f64(LN2_HI), ['f64.mul'],
    get('s'), get('f'), get('R'), ['f64.sub'], ['f64.mul'], get('dk'), f64(LN2_LO), ['f64.mul'], ['f64.sub'],
    get('f'), ['f64.sub'], ['f64.sub'],
  ],
};

/** Pushes the next tempered output (twisting when the block is used up). */
const nextU32: Code = [
  get('pos'), i32(N), ['i32.ge_u'], ['if'], ['call', 'twist'], i32(0), set('pos'), ['end'],
  get('pos'), i32(2), ['i32.shl'], ['i32.load', TEMPERED_AT],
  get('pos'), i32(1), ['i32.add'], set('pos'),
];
/** Pushes 2·random_sample() − 1 (two outputs: 27 + 26 bits). */
const nextSigned: Code = [
  f64(2.0),
  ...nextU32, i32(5), ['i32.shr_u'], ['f64.convert_i32_s'], f64(67108864), ['f64.mul'],
  ...nextU32, i32(6), ['i32.shr_u'], ['f64.convert_i32_s'], ['f64.add'],
  f64(1 / 9007199254740992), ['f64.mul'],
  ['f64.mul'], f64(1.0), ['f64.sub'],
];
/** 2·random_sample() − 1 from the two outputs at byte address `a` + `off`, `a` + `off` + 4 (no block check). */
const signedAt = (off: number): Code => [
  f64(2.0),
  get('a'), ['i32.load', TEMPERED_AT + off], i32(5), ['i32.shr_u'], ['f64.convert_i32_s'], f64(67108864), ['f64.mul'],
  get('a'), ['i32.load', TEMPERED_AT + off + 4], i32(6), ['i32.shr_u'], ['f64.convert_i32_s'], ['f64.add'],
  f64(1 / 9007199254740992), ['f64.mul'],
  ['f64.mul'], f64(1.0), ['f64.sub'],
];
/**
 * The rejection loop: leaves an accepted pair in x1, x2 and r2. While four outputs remain in the
 * block they are read without per-output checks; near its end, one at a time with the twist.
 */
const polarPair: Code = [
  ['loop'],
  get('pos'), i32(N - 4), ['i32.le_u'],
  ['if'],
  get('pos'), i32(2), ['i32.shl'], set('a'),
  ...signedAt(0), set('x1'),
  ...signedAt(8), set('x2'),
  get('pos'), i32(4), ['i32.add'], set('pos'),
  ['else'],
  ...nextSigned, set('x1'),
  ...nextSigned, set('x2'),
  ['end'],
  get('x1'), get('x1'), ['f64.mul'], get('x2'), get('x2'), ['f64.mul'], ['f64.add'], set('r2'),
  get('r2'), f64(1.0), ['f64.ge'], ['br_if', 0],
  get('r2'), f64(0.0), ['f64.eq'], ['br_if', 0],
  ['end'],
];

/** gauss(pos, pairs) → pos: writes `pairs` polar pairs as (f·x2, f·x1) doubles at OUT_AT. */
const gauss: FuncDef = {
  name: 'gauss',
  params: [['pos', 'i32'], ['pairs', 'i32']],
  results: ['i32'],
  locals: [['p', 'i32'], ['end', 'i32'], ['a', 'i32'], ['x1', 'f64'], ['x2', 'f64'], ['r2', 'f64'], ['f', 'f64'], ...inlinedLocals(log, 'l.')],
  export: true,
  body: [
    i32(OUT_AT), set('p'),
    get('pairs'), i32(4), ['i32.shl'], i32(OUT_AT), ['i32.add'], set('end'),
    ['block'], ['loop'],
    get('p'), get('end'), ['i32.ge_u'], ['br_if', 1],
    ...polarPair,
    // f = sqrt((-2·log(r2)) / r2), the log inlined (no call per pair)
    f64(-2.0), get('r2'), ...inlined(log, 'l.'), ['f64.mul'], get('r2'), ['f64.div'], ['f64.sqrt'], set('f'),
    get('p'), get('f'), get('x2'), ['f64.mul'], ['f64.store', 0],
    get('p'), get('f'), get('x1'), ['f64.mul'], ['f64.store', 8],
    get('p'), i32(16), ['i32.add'], set('p'),
    ['br', 0],
    ['end'], ['end'],
    get('pos'),
  ],
};

/** skip(pos, pairs) → pos: runs the rejection loop for `pairs` pairs without their values. */
const skip: FuncDef = {
  name: 'skip',
  params: [['pos', 'i32'], ['pairs', 'i32']],
  results: ['i32'],
  locals: [['a', 'i32'], ['x1', 'f64'], ['x2', 'f64'], ['r2', 'f64']],
  export: true,
  body: [
    ['block'], ['loop'],
    get('pairs'), ['i32.eqz'], ['br_if', 1],
    ...polarPair,
    get('pairs'), i32(1), ['i32.sub'], set('pairs'),
    ['br', 0],
    ['end'], ['end'],
    get('pos'),
  ],
};

export interface MtKernel {
  /** The kernel's state words (624) and tempered block, views on its memory. */
  readonly words: Int32Array;
  readonly tempered: Int32Array;
  /** The output area (OUT_DOUBLES doubles). */
  readonly out: Float64Array;
  twist(): void;
  gauss(pos: number, pairs: number): number;
  skip(pos: number, pairs: number): number;
  log(x: number): number;
}

/** The part of the WebAssembly JS API used here (the project's lib settings carry no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

let kernel: MtKernel | null | undefined;

/** The kernel, or null where WebAssembly is unavailable (the TypeScript paths are then used). */
export function mtKernel(): MtKernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const bytes = assemble([twist, log, gauss, skip], PAGES);
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) return (kernel = null);
    const instance = new wasm.Instance(new wasm.Module(bytes), {});
    const ex = instance.exports as unknown as {
      memory: { buffer: ArrayBuffer };
      twist(): void;
      gauss(pos: number, pairs: number): number;
      skip(pos: number, pairs: number): number;
      log(x: number): number;
    };
    const buf = ex.memory.buffer;
    kernel = {
      words: new Int32Array(buf, WORDS_AT, N),
      tempered: new Int32Array(buf, TEMPERED_AT, N),
      out: new Float64Array(buf, OUT_AT, OUT_DOUBLES),
      twist: ex.twist,
      gauss: ex.gauss,
      skip: ex.skip,
      log: ex.log,
    };
  } catch {
    kernel = null;
  }
  return kernel;
}
