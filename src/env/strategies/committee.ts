/**
 * committee: query by committee with vote entropy over a small bootstrap committee.
 *
 * C = 5 members, each a fresh model from `ctx.makeModel(d, K)` fitted (the task's recipe) on a
 * bootstrap sample of the labelled set: m row indices drawn with replacement from the episode's
 * stream (`randint(0, m)` m times, member by member), kept in draw order. Each member votes for
 * its most probable class (ties: the lower class). With v_k the votes for class k,
 *   vote entropy  VE(x) = −Σ_k (v_k / C) · ln(v_k / C)   (classes in order, 0 · ln 0 = 0)
 * and, to order the many candidates with equal votes, the consensus entropy
 *   CE(x) = −Σ_k p̄_k · ln p̄_k with p̄ the members' mean probabilities (plain sum over members).
 * Highest VE first, then highest CE, then the lower index. With m = 0 no model can be fitted:
 * nothing is drawn and the candidates are taken in index order.
 *
 * Reference: H. S. Seung, M. Opper and H. Sompolinsky, "Query by committee", COLT 1992;
 * I. Dagan and S. P. Engelson, "Committee-based sampling for training probabilistic
 * classifiers", ICML 1995 (vote entropy); N. Abe and H. Mamitsuka, "Query learning strategies
 * using boosting and bagging", ICML 1998 (bagged committees); modAL `vote_entropy_sampling`,
 * libact `QueryByCommittee(disagreement='vote')`.
 */
import { withStaged } from '../../numerics/sgd-kernel.ts';
import { floatScratch, intScratch } from './scratch.ts';
import { argmaxRow } from './score.ts';
import type { StrategyContext } from './types.ts';

export const COMMITTEE_SIZE = 5;

/**
 * Writes the committee's votes (n × K counts) and mean probabilities (n × K) for the candidates;
 * draws the bootstrap samples from `ctx.rng`.
 */
export function committeeVotes(ctx: StrategyContext, votes: Float64Array, meanP: Float64Array): void {
  const { n, K, d, m, X, labelledX, labelledY } = ctx;
  votes.fill(0, 0, n * K);
  meanP.fill(0, 0, n * K);
  const rows = intScratch('strategies.committee.rows', m);
  const labels = intScratch('strategies.committee.labels', m);
  const all = intScratch('strategies.committee.all', n);
  for (let i = 0; i < n; i++) all[i] = i;
  const p = floatScratch('strategies.committee.p', n * K);
  // The candidates and the labelled rows stay as they are for the whole committee: staged once
  // in the WebAssembly kernel for every member's fit and prediction (same numbers without it).
  withStaged([X, labelledX], () => {
    for (let c = 0; c < COMMITTEE_SIZE; c++) {
      for (let i = 0; i < m; i++) {
        const r = ctx.rng.randint(0, m);
        rows[i] = r;
        labels[i] = labelledY[r];
      }
      const model = ctx.makeModel(d, K);
      model.fit(labelledX, rows, labels, m);
      model.predictProbaInto(X, all, n, p);
      for (let i = 0; i < n; i++) {
        const base = i * K;
        votes[base + argmaxRow(p, base, K)] += 1;
        for (let k = 0; k < K; k++) meanP[base + k] += p[base + k];
      }
    }
  });
  for (let i = 0; i < n * K; i++) meanP[i] = meanP[i] / COMMITTEE_SIZE;
}

function entropyOfRow(q: Float64Array, base: number, K: number, scale: number): number {
  let h = 0;
  for (let k = 0; k < K; k++) {
    const v = q[base + k] / scale;
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
}

export function committee(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  const { n, K, m } = ctx;
  if (count <= 0 || n === 0) return 0;
  const ve = floatScratch('strategies.committee.ve', n);
  const ce = floatScratch('strategies.committee.ce', n);
  if (m === 0) {
    ve.fill(0, 0, n);
    ce.fill(0, 0, n);
  } else {
    const votes = floatScratch('strategies.committee.votes', n * K);
    const meanP = floatScratch('strategies.committee.meanP', n * K);
    committeeVotes(ctx, votes, meanP);
    for (let i = 0; i < n; i++) {
      ve[i] = entropyOfRow(votes, i * K, K, COMMITTEE_SIZE);
      ce[i] = entropyOfRow(meanP, i * K, K, 1);
    }
  }
  return pickTopLex(ve, ce, n, count, exclude, out);
}

/** The `count` best by (a desc, b desc, index asc) among candidates not excluded. */
export function pickTopLex(a: Float64Array, b: Float64Array, n: number, count: number, exclude: Uint8Array, out: Int32Array): number {
  const ta = floatScratch('strategies.lex.a', count);
  const tb = floatScratch('strategies.lex.b', count);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (exclude[i] !== 0) continue;
    const va = a[i];
    const vb = b[i];
    if (kept === count) {
      const la = ta[count - 1];
      if (!(va > la || (va === la && vb > tb[count - 1]))) continue;
      kept--;
    }
    let j = kept;
    while (j > 0 && (ta[j - 1] < va || (ta[j - 1] === va && tb[j - 1] < vb))) {
      ta[j] = ta[j - 1];
      tb[j] = tb[j - 1];
      out[j] = out[j - 1];
      j--;
    }
    ta[j] = va;
    tb[j] = vb;
    out[j] = i;
    kept++;
  }
  return kept;
}
