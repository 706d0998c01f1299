/**
 * WebAssembly kernels for the refit-from-scratch models (docs/numerics.md §5, §6): the binary
 * logistic SGD fit of the curation family (`SgdLogistic`: 10 `partial_fit` epochs), its
 * probabilities and its accuracy count, and the softmax SGD fit and probabilities of the data-set
 * family (`SoftmaxSgd`). Each does exactly the IEEE-754 double operations of the TypeScript
 * methods, in the same order: WebAssembly has no fused multiply-add and no excess precision,
 * and the only SIMD used is lane-wise f64x2 add/mul/div on independent sums (one class per lane,
 * each lane's sum still in feature order), so every result is bit-identical.
 * test/numerics/sgd-kernel.test.ts checks that against the TypeScript paths.
 *
 * `exp` is V8's `Math.exp`: fdlibm's `__ieee754_exp` as V8 ships it (src/base/ieee754.cc: the
 * FreeBSD variant that scales by 2^k with a multiplication and returns e for x = 1), the same
 * constants and steps; the test compares it with `Math.exp` on millions of inputs.
 *
 * The module is assembled at load time by wasm-asm.ts from the instruction lists below; no
 * toolchain, no binary. Data lives in the kernel's memory: `SgdKernel` copies an episode's
 * immutable matrices in once (`resident`, a small LRU keyed by the data object) and the
 * per-step index arrays into scratch.
 */
import { assemble, inlined, inlinedLocals, type FuncDef, type Instr } from './wasm-asm.ts';

type Code = Instr[];
const get = (n: string): Instr => ['local.get', n];
const set = (n: string): Instr => ['local.set', n];
const tee = (n: string): Instr => ['local.tee', n];
const i32 = (v: number): Instr => ['i32.const', v];
const f64 = (v: number): Instr => ['f64.const', v];
const inc = (n: string, by: number | string): Code => [get(n), typeof by === 'number' ? i32(by) : get(by), ['i32.add'], set(n)];
/** `for (v = from; v < limit; v += step) body` over i32 locals (limit a local). */
const forLoop = (v: string, from: Code, limit: string, step: number, body: Code): Code => [
  ...from, set(v),
  ['block'], ['loop'],
  get(v), get(limit), ['i32.ge_u'], ['br_if', 1],
  ...body,
  ...inc(v, step),
  ['br', 0],
  ['end'], ['end'],
];

// fdlibm / V8 exp constants.
const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.45133219101941108420e2;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;
const E = 2.718281828459045;
const HUGE = 1.0e300;
const TWOM1000 = 9.33263618503218878990e-302;
const TWO1023 = 8.988465674311579539e307;

/** V8's `ieee754::exp` (fdlibm). */
const exp: FuncDef = {
  name: 'exp',
  params: [['x', 'f64']],
  results: ['f64'],
  locals: [['bits', 'i64'], ['hx', 'i32'], ['xsb', 'i32'], ['k', 'i32'], ['hi', 'f64'], ['lo', 'f64'], ['t', 'f64'], ['c', 'f64'], ['y', 'f64']],
  export: true,
  body: [
    get('x'), ['i64.reinterpret_f64'], tee('bits'),
    ['i64.const', 32n], ['i64.shr_u'], ['i32.wrap_i64'], set('hx'),
    get('hx'), i32(31), ['i32.shr_u'], set('xsb'),
    get('hx'), i32(0x7fffffff), ['i32.and'], set('hx'),
    // |x| ≥ 709.78…: non-finite, overflow, underflow.
    get('hx'), i32(0x40862e42), ['i32.ge_u'],
    ['if'],
    get('hx'), i32(0x7ff00000), ['i32.ge_u'],
    ['if'],
    get('hx'), i32(0xfffff), ['i32.and'], get('bits'), ['i32.wrap_i64'], ['i32.or'],
    ['if'], get('x'), get('x'), ['f64.add'], ['return'], ['end'],
    get('x'), f64(0.0), get('xsb'), ['i32.eqz'], ['select'], ['return'],
    ['end'],
    get('x'), f64(O_THRESHOLD), ['f64.gt'], ['if'], f64(HUGE), f64(HUGE), ['f64.mul'], ['return'], ['end'],
    get('x'), f64(U_THRESHOLD), ['f64.lt'], ['if'], f64(TWOM1000), f64(TWOM1000), ['f64.mul'], ['return'], ['end'],
    ['end'],
    i32(0), set('k'),
    // Argument reduction.
    get('hx'), i32(0x3fd62e42), ['i32.gt_u'],
    ['if'],
    get('hx'), i32(0x3ff0a2b2), ['i32.lt_u'],
    ['if'],
    get('x'), f64(1.0), ['f64.eq'], ['if'], f64(E), ['return'], ['end'],
    // hi = x − ln2HI[xsb]; lo = ln2LO[xsb]; k = 1 − 2·xsb
    get('x'), f64(-LN2_HI), f64(LN2_HI), get('xsb'), ['select'], ['f64.sub'], set('hi'),
    f64(-LN2_LO), f64(LN2_LO), get('xsb'), ['select'], set('lo'),
    i32(1), get('xsb'), get('xsb'), ['i32.add'], ['i32.sub'], set('k'),
    ['else'],
    // k = (int)(invln2·x + halF[xsb]); t = k; hi = x − t·ln2HI; lo = t·ln2LO
    f64(INV_LN2), get('x'), ['f64.mul'], f64(-0.5), f64(0.5), get('xsb'), ['select'], ['f64.add'], ['i32.trunc_f64_s'], tee('k'),
    ['f64.convert_i32_s'], set('t'),
    get('x'), get('t'), f64(LN2_HI), ['f64.mul'], ['f64.sub'], set('hi'),
    get('t'), f64(LN2_LO), ['f64.mul'], set('lo'),
    ['end'],
    get('hi'), get('lo'), ['f64.sub'], set('x'),
    ['else'],
    // |x| < 2^-28: 1 + x (fdlibm's huge + x > one is always true here).
    get('hx'), i32(0x3e300000), ['i32.lt_u'], ['if'], f64(1.0), get('x'), ['f64.add'], ['return'], ['end'],
    ['end'],
    // c = x − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5)))), t = x²
    get('x'), get('x'), ['f64.mul'], set('t'),
    get('x'),
    get('t'), f64(P1), get('t'), f64(P2), get('t'), f64(P3), get('t'), f64(P4), get('t'), f64(P5),
    ['f64.mul'], ['f64.add'], ['f64.mul'], ['f64.add'], ['f64.mul'], ['f64.add'], ['f64.mul'], ['f64.add'], ['f64.mul'],
    ['f64.sub'], set('c'),
    get('k'), ['i32.eqz'],
    // k = 0: 1 − ((x·c)/(c − 2) − x)
    ['if'], f64(1.0), get('x'), get('c'), ['f64.mul'], get('c'), f64(2.0), ['f64.sub'], ['f64.div'], get('x'), ['f64.sub'], ['f64.sub'], ['return'], ['end'],
    // y = 1 − ((lo − (x·c)/(2 − c)) − hi)
    f64(1.0), get('lo'), get('x'), get('c'), ['f64.mul'], f64(2.0), get('c'), ['f64.sub'], ['f64.div'], ['f64.sub'], get('hi'), ['f64.sub'], ['f64.sub'], set('y'),
    get('k'), i32(-1021), ['i32.ge_s'],
    ['if'],
    get('k'), i32(1024), ['i32.eq'], ['if'], get('y'), f64(2.0), ['f64.mul'], f64(TWO1023), ['f64.mul'], ['return'], ['end'],
    // y · 2^k
    get('y'), get('k'), i32(1023), ['i32.add'], ['i64.extend_i32_s'], ['i64.const', 52n], ['i64.shl'], ['f64.reinterpret_i64'], ['f64.mul'], ['return'],
    ['end'],
    // y · 2^(k+1000) · 2^-1000
    get('y'), get('k'), i32(1000 + 1023), ['i32.add'], ['i64.extend_i32_s'], ['i64.const', 52n], ['i64.shl'], ['f64.reinterpret_i64'], ['f64.mul'],
    f64(TWOM1000), ['f64.mul'],
  ],
};

/** `exp` inlined at each use (wasm-asm.ts `inlined`): no call in the hot loops. */
const EXP_LOCALS = inlinedLocals(exp, 'e.');
const callExp: Code = inlined(exp, 'e.');

/** `dot = Σ_j w[j]·X[base + j]` from 0.0 in j order, into local `dot` (j a byte offset < fb). */
const dotInto = (dot: string, w: Code, xBase: string, fixedF = 0): Code => fixedF > 0 ? [
  f64(0.0),
  ...Array.from({ length: fixedF }, (_, j): Code => [...w, ['f64.load', 8 * j], get(xBase), ['f64.load', 8 * j], ['f64.mul'], ['f64.add']]).flat(),
  set(dot),
] : [
  f64(0.0), set(dot),
  ...forLoop('j', [i32(0)], 'fb', 8, [
    get(dot), ...w, get('j'), ['i32.add'], ['f64.load', 0], get(xBase), get('j'), ['i32.add'], ['f64.load', 0], ['f64.mul'], ['f64.add'], set(dot),
  ]),
];

/**
 * The L2 decay of one SGD step on the scaled weights (sklearn's `wscale *= 1 − η₀α`):
 * wscale ← wscale·decay; below 1e-9 the weights (bytes [0, `bytes`) from address `w`, stepped by
 * the i32 local `offset`) are multiplied by wscale and wscale is reset to 1.
 */
const decayWeights = (w: string, bytes: string, offset: string): Code => [
  get('wscale'), get('decay'), ['f64.mul'], set('wscale'),
  get('wscale'), f64(1e-9), ['f64.lt'],
  ['if'],
  ...forLoop(offset, [i32(0)], bytes, 8, [get(w), get(offset), ['i32.add'], get(w), get(offset), ['i32.add'], ['f64.load', 0], get('wscale'), ['f64.mul'], ['f64.store', 0]]),
  f64(1.0), set('wscale'),
  ['end'],
];

/**
 * fitBinary(x, rows, labels, order, n, F, epochs, eta0, decay, coef, w) → intercept:
 * `SgdLogistic.resetParameters()` then `epochs` × `partialFit(X, rows, labels, n)`. Row r of the
 * batch is X row rows[r] (x = byte address of row 0), labels are bytes, `order` the visiting
 * order (int32), `decay` = max(0, 1 − η₀α). Writes coef (F doubles) and returns the intercept.
 */
const fitBinary = (fixedF = 0): FuncDef => ({
  name: fixedF ? `fitBinary${fixedF}` : 'fitBinary',
  params: [['x', 'i32'], ['rows', 'i32'], ['labels', 'i32'], ['order', 'i32'], ['n', 'i32'], ['F', 'i32'], ['epochs', 'i32'], ['eta0', 'f64'], ['decay', 'f64'], ['coef', 'i32'], ['w', 'i32']],
  results: ['f64'],
  locals: [
    ['fb', 'i32'], ['e', 'i32'], ['k', 'i32'], ['nb', 'i32'], ['r', 'i32'], ['base', 'i32'], ['j', 'i32'],
    ['yv', 'f64'], ['dot', 'f64'], ['z', 'f64'], ['dloss', 'f64'], ['update', 'f64'], ['wscale', 'f64'], ['b', 'f64'], ['c', 'f64'],
    ...EXP_LOCALS,
  ],
  export: true,
  body: [
    get('F'), i32(3), ['i32.shl'], set('fb'),
    get('n'), i32(2), ['i32.shl'], set('nb'),
    ...forLoop('j', [i32(0)], 'fb', 8, [get('coef'), get('j'), ['i32.add'], f64(0.0), ['f64.store', 0]]),
    f64(0.0), set('b'),
    ...forLoop('e', [i32(0)], 'epochs', 1, [
      ...forLoop('j', [i32(0)], 'fb', 8, [get('w'), get('j'), ['i32.add'], get('coef'), get('j'), ['i32.add'], ['f64.load', 0], ['f64.store', 0]]),
      f64(1.0), set('wscale'),
      ...forLoop('k', [i32(0)], 'nb', 4, [
        get('order'), get('k'), ['i32.add'], ['i32.load', 0], i32(2), ['i32.shl'], set('r'),
        get('x'), get('rows'), get('r'), ['i32.add'], ['i32.load', 0], get('fb'), ['i32.mul'], ['i32.add'], set('base'),
        f64(1.0), f64(-1.0), get('labels'), get('r'), i32(2), ['i32.shr_u'], ['i32.add'], ['i32.load8_u', 0], i32(1), ['i32.eq'], ['select'], set('yv'),
        ...dotInto('dot', [get('w')], 'base', fixedF),
        // z = (dot·wscale + b)·y
        get('dot'), get('wscale'), ['f64.mul'], get('b'), ['f64.add'], get('yv'), ['f64.mul'], set('z'),
        get('z'), f64(18.0), ['f64.gt'],
        ['if'],
        get('z'), ['f64.neg'], ...callExp, get('yv'), ['f64.neg'], ['f64.mul'], set('dloss'),
        ['else'],
        get('z'), f64(-18.0), ['f64.lt'],
        ['if'],
        get('yv'), ['f64.neg'], set('dloss'),
        ['else'],
        get('yv'), ['f64.neg'], get('z'), ...callExp, f64(1.0), ['f64.add'], ['f64.div'], set('dloss'),
        ['end'],
        ['end'],
        get('dloss'), f64(-1e12), ['f64.lt'],
        ['if'], f64(-1e12), set('dloss'),
        ['else'], get('dloss'), f64(1e12), ['f64.gt'], ['if'], f64(1e12), set('dloss'), ['end'],
        ['end'],
        get('eta0'), ['f64.neg'], get('dloss'), ['f64.mul'], set('update'),
        ...decayWeights('w', 'fb', 'j'),
        get('update'), f64(0.0), ['f64.ne'],
        ['if'],
        get('update'), get('wscale'), ['f64.div'], set('c'),
        ...(fixedF
          ? Array.from({ length: fixedF }, (_, j): Code => [
              get('w'), get('w'), ['f64.load', 8 * j], get('base'), ['f64.load', 8 * j], get('c'), ['f64.mul'], ['f64.add'], ['f64.store', 8 * j],
            ]).flat()
          : forLoop('j', [i32(0)], 'fb', 8, [
              get('w'), get('j'), ['i32.add'],
              get('w'), get('j'), ['i32.add'], ['f64.load', 0], get('base'), get('j'), ['i32.add'], ['f64.load', 0], get('c'), ['f64.mul'], ['f64.add'],
              ['f64.store', 0],
            ])),
        get('b'), get('update'), ['f64.add'], set('b'),
        ['end'],
      ]),
      ...forLoop('j', [i32(0)], 'fb', 8, [get('coef'), get('j'), ['i32.add'], get('w'), get('j'), ['i32.add'], ['f64.load', 0], get('wscale'), ['f64.mul'], ['f64.store', 0]]),
    ]),
    get('b'),
  ],
});

/**
 * predictBinary(x, idx, off, n, F, coef, intercept, out): out[i] = 1 / (1 + exp(−(s + intercept)))
 * with s = Σ_j X[r·F + j]·coef[j] from 0.0, r = off + idx[i] (`SgdLogistic.predictProba1Into`).
 */
const predictBinary = (fixedF = 0): FuncDef => ({
  name: fixedF ? `predictBinary${fixedF}` : 'predictBinary',
  params: [['x', 'i32'], ['idx', 'i32'], ['off', 'i32'], ['n', 'i32'], ['F', 'i32'], ['coef', 'i32'], ['intercept', 'f64'], ['out', 'i32']],
  results: [],
  locals: [['fb', 'i32'], ['nb', 'i32'], ['i', 'i32'], ['j', 'i32'], ['base', 'i32'], ['s', 'f64'], ...EXP_LOCALS],
  export: true,
  body: [
    get('F'), i32(3), ['i32.shl'], set('fb'),
    get('n'), i32(2), ['i32.shl'], set('nb'),
    ...forLoop('i', [i32(0)], 'nb', 4, [
      get('x'), get('idx'), get('i'), ['i32.add'], ['i32.load', 0], get('off'), ['i32.add'], get('fb'), ['i32.mul'], ['i32.add'], set('base'),
      ...dotInto('s', [get('coef')], 'base', fixedF),
      get('out'), get('i'), i32(1), ['i32.shl'], ['i32.add'],
      f64(1.0), f64(1.0), get('s'), get('intercept'), ['f64.add'], ['f64.neg'], ...callExp, ['f64.add'], ['f64.div'],
      ['f64.store', 0],
    ]),
  ],
});

/**
 * countCorrectBinary(x, n, F, coef, intercept, labels) → how many of rows 0…n−1 have
 * (p ≥ 0.5 ? 1 : 0) = label, p = 1 / (1 + exp(−z)), z = s + intercept. Without computing p where
 * the answer is already known: z ≥ 0 gives exp(−z) ≤ 1 (a faithful exp of a value ≤ 1), so
 * 1 + exp(−z) ≤ 2 and p ≥ 0.5; z < −1e−10 gives exp(−z) > 1 + 1e−10, so 1 + exp(−z) > 2 and
 * p < 0.5. Only −1e−10 ≤ z < 0 (or NaN) computes p.
 */
const countCorrectBinary = (fixedF = 0): FuncDef => ({
  name: fixedF ? `countCorrectBinary${fixedF}` : 'countCorrectBinary',
  params: [['x', 'i32'], ['n', 'i32'], ['F', 'i32'], ['coef', 'i32'], ['intercept', 'f64'], ['labels', 'i32']],
  results: ['i32'],
  locals: [['fb', 'i32'], ['i', 'i32'], ['j', 'i32'], ['base', 'i32'], ['pred', 'i32'], ['correct', 'i32'], ['s', 'f64'], ['z', 'f64'], ...EXP_LOCALS],
  export: true,
  body: [
    get('F'), i32(3), ['i32.shl'], set('fb'),
    i32(0), set('correct'),
    ...forLoop('i', [i32(0)], 'n', 1, [
      get('x'), get('i'), get('fb'), ['i32.mul'], ['i32.add'], set('base'),
      ...dotInto('s', [get('coef')], 'base', fixedF),
      get('s'), get('intercept'), ['f64.add'], set('z'),
      get('z'), f64(0.0), ['f64.ge'],
      ['if'], i32(1), set('pred'),
      ['else'],
      get('z'), f64(-1e-10), ['f64.lt'],
      ['if'], i32(0), set('pred'),
      ['else'],
      f64(1.0), f64(1.0), get('z'), ['f64.neg'], ...callExp, ['f64.add'], ['f64.div'], f64(0.5), ['f64.ge'], set('pred'),
      ['end'],
      ['end'],
      get('correct'), get('pred'), get('labels'), get('i'), ['i32.add'], ['i32.load8_u', 0], ['i32.eq'], ['i32.add'], set('correct'),
    ]),
    get('correct'),
  ],
});

/** Softmax kernels exist for K ≤ 2·MAX_PAIRS classes (one f64x2 accumulator per class pair). */
export const MAX_PAIRS = 8;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const splat0: Code = [f64(0.0), ['f64x2.splat']];

/**
 * The class-pair dot products of one row: acc_p = Σ_j W[j][2p..2p+1] · x[j] from 0 in j order
 * (lane-wise; `wt` is d × Kp, feature-major), stored to zb[0..Kp).
 */
const pairDots = (P: number, wt: string): Code => [
  ...range(P).flatMap((p): Code => [...splat0, set(`acc${p}`)]),
  get(wt), set('wp'), get('base'), set('xj'),
  ['block'], ['loop'],
  get('xj'), get('xend'), ['i32.ge_u'], ['br_if', 1],
  get('xj'), ['f64.load', 0], ['f64x2.splat'], set('xs'),
  ...range(P).flatMap((p): Code => [get(`acc${p}`), get('wp'), ['v128.load', 16 * p], get('xs'), ['f64x2.mul'], ['f64x2.add'], set(`acc${p}`)]),
  ...inc('wp', 'kpb'), ...inc('xj', 8),
  ['br', 0],
  ['end'], ['end'],
  ...range(P).flatMap((p): Code => [get('zb'), get(`acc${p}`), ['v128.store', 16 * p]]),
];

/** zb[k] = exp(zb[k] − zmax) for k < K, summed in class order into `sum`. */
const softmaxExps: Code = [
  f64(0.0), set('sum'),
  ...forLoop('k', [i32(0)], 'kb', 8, [
    get('zb'), get('k'), ['i32.add'],
    get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('zmax'), ['f64.sub'], ...callExp, tee('v'),
    ['f64.store', 0],
    get('sum'), get('v'), ['f64.add'], set('sum'),
  ]),
];

const SOFTMAX_LOCALS = (P: number): FuncDef['locals'] => [
  ['kb', 'i32'], ['kpb', 'i32'], ['wsize', 'i32'], ['wp', 'i32'], ['xj', 'i32'], ['xend', 'i32'], ['base', 'i32'], ['k', 'i32'], ['i', 'i32'],
  ['zmax', 'f64'], ['sum', 'f64'], ['v', 'f64'],
  ['xs', 'v128'], ['wv', 'v128'],
  ...range(P).map((p) => [`acc${p}`, 'v128'] as const),
  ...EXP_LOCALS,
];

/**
 * fitSoftmax{P}(x, rows, labels, order, n, d, K, epochs, eta0, decay, wt, b, zb, cb, mb):
 * `SoftmaxSgd.fit` — zero weights, then `epochs` passes in the visiting order `order`. Row r is
 * X row rows[r] (x = byte address of row 0, d doubles per row), labels int32. The weights are
 * kept feature-major, wt[j·Kp + k] (Kp = 2P ≥ K, padding lanes stay 0), b holds Kp intercepts;
 * zb, cb, mb are Kp-double scratch. Per row, as the TypeScript: z_k = (W_k·x)·s + b_k, zmax,
 * e_k = exp(z_k − zmax), their sum in class order, s ← s·decay (rescaling below 1e−9), then for
 * every class with g_k = e_k/sum − [k = y] ≠ 0: b_k += −η₀g_k and W_k += x·((−η₀g_k)/s). The
 * weight update runs on class pairs with a lane mask, so a class with g_k = 0 keeps its weights
 * bit for bit. The pass ends with W ← W·s (the TypeScript's coef = w·wscale, then w = coef).
 */
const fitSoftmax = (P: number): FuncDef => ({
  name: `fitSoftmax${P}`,
  params: [
    ['x', 'i32'], ['rows', 'i32'], ['labels', 'i32'], ['order', 'i32'], ['n', 'i32'], ['d', 'i32'], ['K', 'i32'], ['epochs', 'i32'],
    ['eta0', 'f64'], ['decay', 'f64'], ['wt', 'i32'], ['b', 'i32'], ['zb', 'i32'], ['cb', 'i32'], ['mb', 'i32'],
  ],
  results: [],
  locals: [
    ...SOFTMAX_LOCALS(P),
    ['nb', 'i32'], ['e', 'i32'], ['t', 'i32'], ['r', 'i32'], ['y', 'i32'], ['db', 'i32'],
    ['wscale', 'f64'], ['g', 'f64'], ['update', 'f64'],
    ...range(P).map((p) => [`c${p}`, 'v128'] as const),
    ...range(P).map((p) => [`m${p}`, 'v128'] as const),
  ],
  export: true,
  body: [
    get('K'), i32(3), ['i32.shl'], set('kb'),
    i32(16 * P), set('kpb'),
    get('d'), i32(3), ['i32.shl'], set('db'),
    get('d'), get('kpb'), ['i32.mul'], set('wsize'),
    get('n'), i32(2), ['i32.shl'], set('nb'),
    ...forLoop('i', [i32(0)], 'wsize', 8, [get('wt'), get('i'), ['i32.add'], f64(0.0), ['f64.store', 0]]),
    ...forLoop('i', [i32(0)], 'kpb', 8, [
      get('b'), get('i'), ['i32.add'], f64(0.0), ['f64.store', 0],
      get('cb'), get('i'), ['i32.add'], f64(0.0), ['f64.store', 0],
      get('mb'), get('i'), ['i32.add'], ['i64.const', 0n], ['i64.store', 0],
    ]),
    ...forLoop('e', [i32(0)], 'epochs', 1, [
      f64(1.0), set('wscale'),
      ...forLoop('t', [i32(0)], 'nb', 4, [
        get('order'), get('t'), ['i32.add'], ['i32.load', 0], i32(2), ['i32.shl'], set('r'),
        get('x'), get('rows'), get('r'), ['i32.add'], ['i32.load', 0], get('db'), ['i32.mul'], ['i32.add'], set('base'),
        get('base'), get('db'), ['i32.add'], set('xend'),
        get('labels'), get('r'), ['i32.add'], ['i32.load', 0], i32(3), ['i32.shl'], set('y'),
        ...pairDots(P, 'wt'),
        // z_k = dot_k·s + b_k; zmax (strict >, from −∞)
        f64(-Infinity), set('zmax'),
        ...forLoop('k', [i32(0)], 'kb', 8, [
          get('zb'), get('k'), ['i32.add'],
          get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('wscale'), ['f64.mul'], get('b'), get('k'), ['i32.add'], ['f64.load', 0], ['f64.add'], tee('v'),
          ['f64.store', 0],
          get('v'), get('zmax'), get('v'), get('zmax'), ['f64.gt'], ['select'], set('zmax'),
        ]),
        ...softmaxExps,
        ...decayWeights('wt', 'wsize', 'i'),
        // g_k, the intercepts, and each class's weight step c_k with its lane mask.
        ...forLoop('k', [i32(0)], 'kb', 8, [
          get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('sum'), ['f64.div'], f64(1.0), f64(0.0), get('k'), get('y'), ['i32.eq'], ['select'], ['f64.sub'], tee('g'),
          f64(0.0), ['f64.ne'],
          ['if'],
          get('eta0'), ['f64.neg'], get('g'), ['f64.mul'], set('update'),
          get('cb'), get('k'), ['i32.add'], get('update'), get('wscale'), ['f64.div'], ['f64.store', 0],
          get('mb'), get('k'), ['i32.add'], ['i64.const', -1n], ['i64.store', 0],
          get('b'), get('k'), ['i32.add'], get('b'), get('k'), ['i32.add'], ['f64.load', 0], get('update'), ['f64.add'], ['f64.store', 0],
          ['else'],
          get('cb'), get('k'), ['i32.add'], f64(0.0), ['f64.store', 0],
          get('mb'), get('k'), ['i32.add'], ['i64.const', 0n], ['i64.store', 0],
          ['end'],
        ]),
        ...range(P).flatMap((p): Code => [get('cb'), ['v128.load', 16 * p], set(`c${p}`), get('mb'), ['v128.load', 16 * p], set(`m${p}`)]),
        // W[j][pair] = mask ? W + x_j·c : W
        get('wt'), set('wp'), get('base'), set('xj'),
        ['block'], ['loop'],
        get('xj'), get('xend'), ['i32.ge_u'], ['br_if', 1],
        get('xj'), ['f64.load', 0], ['f64x2.splat'], set('xs'),
        ...range(P).flatMap((p): Code => [
          get('wp'),
          get('wp'), ['v128.load', 16 * p], tee('wv'), get('xs'), get(`c${p}`), ['f64x2.mul'], ['f64x2.add'],
          get('wv'), get(`m${p}`), ['v128.bitselect'],
          ['v128.store', 16 * p],
        ]),
        ...inc('wp', 'kpb'), ...inc('xj', 8),
        ['br', 0],
        ['end'], ['end'],
      ]),
      ...forLoop('i', [i32(0)], 'wsize', 8, [get('wt'), get('i'), ['i32.add'], get('wt'), get('i'), ['i32.add'], ['f64.load', 0], get('wscale'), ['f64.mul'], ['f64.store', 0]]),
    ]),
  ],
});

/**
 * predictSoftmax{P}(x, idx, off, n, d, K, wt, b, out, mode, labels, zb) → count. Row i is X row
 * off + idx[i]; z_k = Σ_j x_j·W_k[j] + b_k (`SoftmaxSgd.decisionInto`), zmax, e_k = exp(z_k − zmax),
 * p_k = e_k / Σe (`predictProbaInto`). Mode 0 writes p (n × K) to `out` and returns 0. Mode 1
 * returns how many rows have argmax_k p_k (ties: the lower class) equal to labels[i] (bytes),
 * writing nothing: where every other class has z_k − zmax < −1e−9, e_k < 1 − 9.9e−10 < e_t = 1
 * and p_t is strictly the largest, so the first class with z = zmax is the answer without an
 * exp; otherwise p is computed as in mode 0.
 */
const predictSoftmax = (P: number): FuncDef => ({
  name: `predictSoftmax${P}`,
  params: [
    ['x', 'i32'], ['idx', 'i32'], ['off', 'i32'], ['n', 'i32'], ['d', 'i32'], ['K', 'i32'], ['wt', 'i32'], ['b', 'i32'], ['out', 'i32'],
    ['mode', 'i32'], ['labels', 'i32'], ['zb', 'i32'],
  ],
  results: ['i32'],
  locals: [...SOFTMAX_LOCALS(P), ['nb', 'i32'], ['db', 'i32'], ['o', 'i32'], ['top', 'i32'], ['best', 'i32'], ['ok', 'i32'], ['correct', 'i32'], ['bp', 'f64']],
  export: true,
  body: [
    get('K'), i32(3), ['i32.shl'], set('kb'),
    i32(16 * P), set('kpb'),
    get('d'), i32(3), ['i32.shl'], set('db'),
    get('n'), i32(2), ['i32.shl'], set('nb'),
    i32(0), set('correct'),
    get('out'), set('o'),
    ...forLoop('i', [i32(0)], 'nb', 4, [
      get('x'), get('idx'), get('i'), ['i32.add'], ['i32.load', 0], get('off'), ['i32.add'], get('db'), ['i32.mul'], ['i32.add'], set('base'),
      get('base'), get('db'), ['i32.add'], set('xend'),
      ...pairDots(P, 'wt'),
      f64(-Infinity), set('zmax'),
      i32(0), set('top'),
      ...forLoop('k', [i32(0)], 'kb', 8, [
        get('zb'), get('k'), ['i32.add'],
        get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('b'), get('k'), ['i32.add'], ['f64.load', 0], ['f64.add'], tee('v'),
        ['f64.store', 0],
        get('v'), get('zmax'), ['f64.gt'],
        ['if'], get('v'), set('zmax'), get('k'), set('top'), ['end'],
      ]),
      get('mode'),
      ['if'],
      // Every other class clearly below the top?
      i32(1), set('ok'),
      ...forLoop('k', [i32(0)], 'kb', 8, [
        get('k'), get('top'), ['i32.ne'],
        ['if'],
        get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('zmax'), ['f64.sub'], f64(-1e-9), ['f64.lt'], ['i32.eqz'],
        ['if'], i32(0), set('ok'), ['end'],
        ['end'],
      ]),
      get('top'), i32(3), ['i32.shr_u'], set('best'),
      get('ok'), ['i32.eqz'],
      ['if'],
      ...softmaxExps,
      // argmax of p_k = e_k / sum, ties to the lower class
      i32(0), set('best'),
      get('zb'), ['f64.load', 0], get('sum'), ['f64.div'], set('bp'),
      ...forLoop('k', [i32(8)], 'kb', 8, [
        get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('sum'), ['f64.div'], tee('v'), get('bp'), ['f64.gt'],
        ['if'], get('v'), set('bp'), get('k'), i32(3), ['i32.shr_u'], set('best'), ['end'],
      ]),
      ['end'],
      get('correct'), get('best'), get('labels'), get('i'), i32(2), ['i32.shr_u'], ['i32.add'], ['i32.load8_u', 0], ['i32.eq'], ['i32.add'], set('correct'),
      ['else'],
      ...softmaxExps,
      ...forLoop('k', [i32(0)], 'kb', 8, [
        get('o'), get('k'), ['i32.add'], get('zb'), get('k'), ['i32.add'], ['f64.load', 0], get('sum'), ['f64.div'], ['f64.store', 0],
      ]),
      ...inc('o', 'kb'),
      ['end'],
    ]),
    get('correct'),
  ],
});

/** Feature counts with unrolled variants (the curation family's 20). */
export const UNROLLED_F = [20] as const;
const FUNCS: FuncDef[] = [
  exp,
  fitBinary(), predictBinary(), countCorrectBinary(),
  ...UNROLLED_F.flatMap((F) => [fitBinary(F), predictBinary(F), countCorrectBinary(F)]),
  ...range(MAX_PAIRS).flatMap((p) => [fitSoftmax(p + 1), predictSoftmax(p + 1)]),
];

type FitBinary = (x: number, rows: number, labels: number, order: number, n: number, F: number, epochs: number, eta0: number, decay: number, coef: number, w: number) => number;
type PredictBinary = (x: number, idx: number, off: number, n: number, F: number, coef: number, intercept: number, out: number) => void;
type CountCorrectBinary = (x: number, n: number, F: number, coef: number, intercept: number, labels: number) => number;
export type FitSoftmax = (
  x: number, rows: number, labels: number, order: number, n: number, d: number, K: number, epochs: number,
  eta0: number, decay: number, wt: number, b: number, zb: number, cb: number, mb: number,
) => void;
export type PredictSoftmax = (
  x: number, idx: number, off: number, n: number, d: number, K: number, wt: number, b: number, out: number, mode: number, labels: number, zb: number,
) => number;

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  exp(x: number): number;
  fitBinary: FitBinary;
  predictBinary: PredictBinary;
  countCorrectBinary: CountCorrectBinary;
  fitBinary20: FitBinary;
  predictBinary20: PredictBinary;
  countCorrectBinary20: CountCorrectBinary;
  [softmax: `fitSoftmax${number}`]: FitSoftmax;
  [predict: `predictSoftmax${number}`]: PredictSoftmax;
}

/** The part of the WebAssembly JS API used here (the project's lib settings carry no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const PAGE = 65536;
/** Resident matrices kept (LRU): an evaluation interleaving a few episodes does not re-copy. */
const RESIDENT_SLOTS = 16;
/** …and at most this many bytes of them; a larger matrix (a big user CSV) stays on the TypeScript path. */
const RESIDENT_BYTES = 64 * 1024 * 1024;
/** The largest matrix a kernel call takes (resident or staged), in doubles. */
export const KERNEL_MAX_DOUBLES = RESIDENT_BYTES / 8 / 4;

interface Region {
  ptr: number;
  bytes: number;
}

/**
 * The kernel instance and its memory: a bump allocator for scratch regions (grown by doubling,
 * named), the resident-matrix LRU, and typed views refreshed after the memory grows.
 */
export class SgdKernel {
  readonly raw: Exports;
  private top: number;
  private buffer: ArrayBuffer;
  private f64v: Float64Array;
  private i32v: Int32Array;
  private u8v: Uint8Array;
  private readonly scratchRegions = new Map<string, Region>();
  private readonly residents = new Map<Float64Array, Region>();
  private identityAt = -1;
  private residentBytes = 0;
  private readonly staged = new Map<Float64Array, number>();
  private readonly free: Region[] = [];

  constructor(raw: Exports) {
    this.raw = raw;
    this.top = 16;
    this.buffer = raw.memory.buffer;
    this.f64v = new Float64Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
    this.u8v = new Uint8Array(this.buffer);
  }

  /** Views on the kernel's memory (valid until the next allocation). */
  get f64(): Float64Array {
    if (this.raw.memory.buffer !== this.buffer) this.refresh();
    return this.f64v;
  }
  get i32(): Int32Array {
    if (this.raw.memory.buffer !== this.buffer) this.refresh();
    return this.i32v;
  }
  get u8(): Uint8Array {
    if (this.raw.memory.buffer !== this.buffer) this.refresh();
    return this.u8v;
  }

  private refresh(): void {
    this.buffer = this.raw.memory.buffer;
    this.f64v = new Float64Array(this.buffer);
    this.i32v = new Int32Array(this.buffer);
    this.u8v = new Uint8Array(this.buffer);
  }

  private alloc(bytes: number): Region {
    const size = Math.ceil(bytes / 16) * 16;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].bytes >= size) return this.free.splice(i, 1)[0];
    }
    const ptr = this.top;
    this.top += size;
    const have = this.raw.memory.buffer.byteLength;
    if (this.top > have) this.raw.memory.grow(Math.ceil((this.top - have) / PAGE));
    return { ptr, bytes: size };
  }

  /** A named scratch region of at least `bytes` (its address; the content is not kept on growth). */
  scratch(name: string, bytes: number): number {
    let r = this.scratchRegions.get(name);
    if (!r || r.bytes < bytes) {
      if (r) this.free.push(r);
      r = this.alloc(Math.max(bytes, r ? r.bytes * 2 : 0, 64));
      this.scratchRegions.set(name, r);
    }
    return r.ptr;
  }

  /**
   * The address of `X` copied into the kernel's memory, once per array: the caller promises `X`
   * never changes (an episode's data). An LRU of 16 arrays; an evicted one is copied again when
   * it comes back.
   */
  resident(X: Float64Array): number {
    const hit = this.residents.get(X);
    if (hit) {
      this.residents.delete(X);
      this.residents.set(X, hit);
      return hit.ptr;
    }
    while (this.residents.size > 0 && (this.residents.size >= RESIDENT_SLOTS || this.residentBytes + X.length * 8 > RESIDENT_BYTES)) {
      const oldest = this.residents.keys().next().value!;
      const region = this.residents.get(oldest)!;
      this.free.push(region);
      this.residentBytes -= region.bytes;
      this.residents.delete(oldest);
      this.free.sort((a, b) => a.bytes - b.bytes);
    }
    const region = this.alloc(X.length * 8);
    this.f64.set(X, region.ptr / 8);
    this.residents.set(X, region);
    this.residentBytes += region.bytes;
    return region.ptr;
  }

  /** Is `X` resident for now: staged by `withStaged` around the running call? */
  isStaged(X: Float64Array): boolean {
    return this.staged.has(X);
  }

  /**
   * Runs `fn` with `arrays` copied in and treated as resident (a model given one of them as X
   * reads the copy): they must not change while `fn` runs. For a call that uses one matrix many
   * times (committee members' fits and predictions), not kept afterwards.
   */
  withStaged<T>(arrays: readonly Float64Array[], fn: () => T): T {
    const added: Float64Array[] = [];
    for (let i = 0; i < arrays.length; i++) {
      const a = arrays[i];
      if (this.staged.has(a) || a.length === 0 || a.length > KERNEL_MAX_DOUBLES) continue;
      const ptr = this.scratch(`staged${this.staged.size}`, a.length * 8);
      this.f64.set(a, ptr >> 3);
      this.staged.set(a, ptr);
      added.push(a);
    }
    try {
      return fn();
    } finally {
      for (const a of added) this.staged.delete(a);
    }
  }

  /** The address of `X` for a kernel: staged, or resident (copied once, see `resident`). */
  matrix(X: Float64Array): number {
    return this.staged.get(X) ?? this.resident(X);
  }

  /** The address of the int32 run 0, 1, …, n − 1. */
  identity(n: number): number {
    const ptr = this.scratch('identity', n * 4);
    if (this.identityAt !== ptr) {
      const v = this.i32;
      const cap = this.scratchRegions.get('identity')!.bytes >> 2;
      for (let i = 0; i < cap; i++) v[(ptr >> 2) + i] = i;
      this.identityAt = ptr;
    }
    return ptr;
  }

  /** Copies `src[0..n)` (int32 values) to a scratch region and returns its address. */
  int32s(name: string, src: ArrayLike<number>, n: number): number {
    const ptr = this.scratch(name, n * 4);
    const v = this.i32;
    const o = ptr / 4;
    if (src instanceof Int32Array) v.set(src.subarray(0, n), o);
    else for (let i = 0; i < n; i++) v[o + i] = src[i];
    return ptr;
  }

  /** Writes `src[i] === 1 ? 1 : 0` for i < n (binary labels as bytes) to a scratch region; its address. */
  binaryLabels(name: string, src: ArrayLike<number>, n: number): number {
    const ptr = this.scratch(name, n);
    const v = this.u8;
    for (let i = 0; i < n; i++) v[ptr + i] = src[i] === 1 ? 1 : 0;
    return ptr;
  }
}

let kernel: SgdKernel | null | undefined;
let enabled = true;

/** The kernel, or null where WebAssembly is unavailable or it is switched off (`useSgdKernel`). */
export function sgdKernel(): SgdKernel | null {
  if (!enabled) return null;
  if (kernel !== undefined) return kernel;
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) return (kernel = null);
    const instance = new wasm.Instance(new wasm.Module(assemble(FUNCS, 1)), {});
    kernel = new SgdKernel(instance.exports as unknown as Exports);
  } catch {
    kernel = null;
  }
  return kernel;
}

/** `SgdKernel.withStaged` when the kernel is available, else just `fn()`. */
export function withStaged<T>(arrays: readonly Float64Array[], fn: () => T): T {
  const k = sgdKernel();
  return k ? k.withStaged(arrays, fn) : fn();
}

/** Switches the kernel on or off (the tests compare both paths); returns the previous setting. */
export function useSgdKernel(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}
