/**
 * One guided walk that honours EVERY jumper rule whose deadline falls inside the walk
 * (method.md section 3), nested jumpers included. Design and proofs: docs/walks.md.
 *
 * State: pending checkpoints (deadline t, required block b), sorted by deadline. Meeting jumper
 * j at step s records an event and, when s + r_j < L, adds checkpoint (s + r_j, target_j).
 * The next vertex is drawn among the admissible out-neighbours u with weight
 * prod_c prob_{t_c - (s+1)}(u, b_c): the Doob h-transform of the uniform walk, exact for one
 * checkpoint, and the uniform walk when nothing is pending.
 *
 * Feasibility (exact, never probabilistic). Feasible(p, s, C) for sorted C = (t_1,b_1)..(t_m,b_m):
 *   reach_{t_1 - s}(p, b_1) and universal(t_{i+1} - t_i, b_i, b_{i+1}) for every consecutive pair
 * (universal(0, a, b) = [a = b], so equal deadlines need equal blocks). It is sufficient: a
 * walk reaches b_1 at t_1, and from ANY vertex of b_i a walk reaches b_{i+1} at t_{i+1}.
 *
 * Invariant: Feasible(walk[s], s, pending) holds after every step.
 * - Step 0: pending is empty or holds the start jumper's own checkpoint, feasible because
 *   reach_r(v, target) holds (checked when the walker is built).
 * - Step s -> s+1, pending non-empty: reach_{t_1 - s}(p, b_1) with t_1 - s >= 1 means some
 *   out-neighbour u has reach_{t_1 - s - 1}(u, b_1). If t_1 = s+1, u is in b_1, every checkpoint due
 *   at s+1 has block b_1 (chain with k = 0) and is met, and the next deadline t_2 is reachable
 *   from u by universal(t_2 - t_1, b_1, b_2). Otherwise the first condition holds for u as is.
 *   The chain conditions do not depend on u. So the neighbours meeting the reach condition are
 *   never an empty set, and every NON-jumper among them keeps Feasible (it adds no checkpoint):
 *   it is admissible.
 * - Pending empty: every non-jumper neighbour is admissible (deg >= 1 on a strongly connected graph).
 * - A jumper neighbour u adds (s+1+r_u, target_u); it is admitted only if the chain with that
 *   checkpoint inserted still satisfies the rule (prev -> new and new -> next links, or
 *   reach_{r_u}(u, target_u) when it becomes the earliest), so Feasible holds after stepping onto it.
 * The admissible set can therefore only be empty when every neighbour meeting the reach condition
 * is a jumper whose new rule conflicts; the walk then reports failure and the caller restarts it.
 */
import type { DcsbmGraph, Jumper } from '../graph/graph';
import { maxOutDegree } from '../graph/csr';
import type { Reachability } from '../graph/reachability';
import { InputError } from '../errors';
import type { Rng } from '../random/rng';
import type { EventBuffer } from './events';

/** Checkpoint bookkeeping of the walk most recently run by a {@link GuidedWalker}. */
export interface WalkCounters {
  /** Checkpoints (events with deadline inside the walk) that came due. */
  checks: number;
  /** Of those, how many found the walk in the required block (equals `checks` by construction). */
  compliant: number;
}

/**
 * Samples guided walks of a fixed length on one graph. Holds every buffer the inner loop needs,
 * so a walk allocates nothing; create one per thread and reuse it for all walks.
 */
export class GuidedWalker {
  /** Vertices per walk (L); rules with deadline step >= L are recorded but not enforced. */
  readonly walkLength: number;
  readonly #graph: DcsbmGraph;
  readonly #tables: Reachability;
  /** r of the jumper at each vertex, 0 when the vertex is not a jumper. */
  readonly #jumperR: Int32Array;
  readonly #jumperTarget: Int32Array;
  readonly #pendingT: Int32Array;
  readonly #pendingB: Int32Array;
  /** Per-step table offsets of the pending checkpoints: (t_c - (s+1)) * n * K + b_c. */
  readonly #offsets: Int32Array;
  /** Candidate weights of the current step (0 = never drawn). */
  readonly #weights: Float64Array;
  /** max over p's out-neighbours u of prob_k(u, b), index ((k*n)+p)*K+b (same layout as prob). */
  readonly #maxima: Float64Array;
  #pending = 0;
  #counters: WalkCounters = { checks: 0, compliant: 0 };

  /**
   * Throws InputError when two jumpers share a vertex, or a jumper whose deadline can fall
   * inside the walk has a rule its own vertex cannot satisfy or longer than the tables cover.
   */
  constructor(graph: DcsbmGraph, jumpers: readonly Jumper[], tables: Reachability, walkLength: number) {
    if (!(Number.isInteger(walkLength) && walkLength >= 1)) {
      throw new RangeError(`GuidedWalker: walkLength must be a positive integer, got ${walkLength}`);
    }
    if (tables.n !== graph.n || tables.K !== graph.K) {
      throw new RangeError(`GuidedWalker: tables are for n=${tables.n}, K=${tables.K}, graph has n=${graph.n}, K=${graph.K}`);
    }
    this.walkLength = walkLength;
    this.#graph = graph;
    this.#tables = tables;
    this.#jumperR = new Int32Array(graph.n);
    this.#jumperTarget = new Int32Array(graph.n);
    let maxR = 0;
    for (const j of jumpers) {
      checkJumper(j, graph, tables, walkLength, this.#jumperR[j.vertex] !== 0);
      this.#jumperR[j.vertex] = j.r;
      this.#jumperTarget[j.vertex] = j.targetBlock;
      maxR = Math.max(maxR, j.r);
    }
    // At most one checkpoint is added per step, and each lives at most maxR steps.
    const capacity = Math.min(maxR, walkLength) + 2;
    this.#pendingT = new Int32Array(capacity);
    this.#pendingB = new Int32Array(capacity);
    this.#offsets = new Int32Array(capacity);
    this.#weights = new Float64Array(Math.max(1, maxOutDegree(graph)));
    this.#maxima = neighbourMaxima(graph, tables, Math.min(maxR, tables.maxSteps));
  }

  /** Check counts of the last walk run (valid after {@link walk} returned true). */
  get counters(): Readonly<WalkCounters> {
    return this.#counters;
  }

  /**
   * Writes one walk of `walkLength` vertices from `start` into `out[offset ..]`, drawing from
   * `rng`, and appends its jumper events (tagged `walkIndex`) to `events`. Returns false when a
   * step had no admissible neighbour; the caller then discards the walk's events and restarts it.
   */
  walk(start: number, rng: Rng, out: Int32Array, offset: number, walkIndex: number, events: EventBuffer): boolean {
    this.#pending = 0;
    this.#counters = { checks: 0, compliant: 0 };
    out[offset] = start;
    this.#visit(start, 0, walkIndex, events);
    let p = start;
    for (let s = 0; s + 1 < this.walkLength; s++) {
      const u = this.#step(p, s, rng);
      if (u < 0) return false;
      out[offset + s + 1] = u;
      this.#resolve(s + 1, u);
      this.#visit(u, s + 1, walkIndex, events);
      p = u;
    }
    return true;
  }

  /** Records an event for a jumper at step s and schedules its checkpoint when due inside the walk. */
  #visit(v: number, s: number, walkIndex: number, events: EventBuffer): void {
    const r = this.#jumperR[v];
    if (r === 0) return;
    const target = this.#jumperTarget[v];
    events.push(walkIndex, v, s, target, s + r);
    if (s + r < this.walkLength) this.#insert(s + r, target);
  }

  /** Inserts a checkpoint keeping deadlines sorted (after existing equal deadlines). */
  #insert(t: number, b: number): void {
    const T = this.#pendingT;
    const B = this.#pendingB;
    let i = this.#pending++;
    while (i > 0 && T[i - 1] > t) {
      T[i] = T[i - 1];
      B[i] = B[i - 1];
      i--;
    }
    T[i] = t;
    B[i] = b;
  }

  /** Removes the checkpoints due at step s (the walk is at u) and counts their compliance. */
  #resolve(s: number, u: number): void {
    const T = this.#pendingT;
    const B = this.#pendingB;
    let due = 0;
    while (due < this.#pending && T[due] === s) {
      this.#counters.checks++;
      if (this.#graph.block[u] === B[due]) this.#counters.compliant++;
      due++;
    }
    if (due === 0) return;
    this.#pending -= due;
    for (let c = 0; c < this.#pending; c++) {
      T[c] = T[c + due];
      B[c] = B[c + due];
    }
  }

  /**
   * Draws walk[s+1] from the admissible out-neighbours of p; -1 when there is none.
   *
   * With nothing pending every neighbour is admissible (non-jumpers trivially; jumpers because
   * their own rule is feasible, checked at construction), so the draw is uniform. Otherwise the
   * weight w(u) = prod_c prob(u) is sampled by {@link #tryRejection} and, if that gives up, by
   * {@link #scan}. Both are exact, so their mixture is too.
   */
  #step(p: number, s: number, rng: Rng): number {
    const { rowPtr, colIdx } = this.#graph;
    const begin = rowPtr[p];
    const degree = rowPtr[p + 1] - begin;
    const pending = this.#pending;
    // A sink (possible only in hand-made graphs; generated ones are strongly connected) is a dead end.
    if (degree === 0) return -1;
    if (pending === 0) return colIdx[begin + rng.int(degree)];
    const { n, K } = this.#tables;
    const s1 = s + 1;
    for (let c = 0; c < pending; c++) this.#offsets[c] = (this.#pendingT[c] - s1) * n * K + this.#pendingB[c];
    const u = this.#tryRejection(p, s1, rng);
    return u >= 0 ? u : this.#scan(p, s1, rng);
  }

  /**
   * Rejection sampling: propose a uniform neighbour u, accept with probability w(u) / bound,
   * where bound = prod_c max over p's neighbours of prob(u) (the {@link neighbourMaxima} table).
   * An accepted u is distributed exactly as w restricted to the admissible set (a weight > 0
   * implies the reach condition: prob_k > 0 iff reach_k). At long horizons the weights are
   * nearly equal and the first proposal is usually accepted, so a step costs O(1) instead of
   * O(degree). Gives up (-1) after degree / 4 proposals, when the bound is 0, or when it drew a
   * conflicting jumper; giving up does not bias the draw, since the fallback is exact too.
   */
  #tryRejection(p: number, s1: number, rng: Rng): number {
    const { rowPtr, colIdx } = this.#graph;
    const { prob, K } = this.#tables;
    const offsets = this.#offsets;
    const pending = this.#pending;
    const pK = p * K;
    let bound = 1;
    for (let c = 0; c < pending; c++) bound *= this.#maxima[offsets[c] + pK];
    if (!(bound > 0)) return -1;
    const begin = rowPtr[p];
    const degree = rowPtr[p + 1] - begin;
    for (let tries = degree >> 2; tries > 0; tries--) {
      const u = colIdx[begin + rng.int(degree)];
      const uK = u * K;
      let w = prob[offsets[0] + uK];
      for (let c = 1; c < pending; c++) w *= prob[offsets[c] + uK];
      if (rng.float() * bound < w) return this.#conflicts(u, s1) ? -1 : u;
    }
    return -1;
  }

  /**
   * Exact draw by computing every neighbour's weight. A conflicting jumper drawn is given
   * weight 0 and the draw repeated, which samples the weights restricted to the admissible set.
   */
  #scan(p: number, s1: number, rng: Rng): number {
    const { rowPtr, colIdx } = this.#graph;
    const { prob, K } = this.#tables;
    const offsets = this.#offsets;
    const weights = this.#weights;
    const pending = this.#pending;
    const begin = rowPtr[p];
    const degree = rowPtr[p + 1] - begin;
    let total = 0;
    for (let i = 0; i < degree; i++) {
      const uK = colIdx[begin + i] * K;
      let w = prob[offsets[0] + uK];
      for (let c = 1; c < pending && w > 0; c++) w *= prob[offsets[c] + uK];
      total += weights[i] = w;
    }
    while (total > 0) {
      const i = pickWeighted(weights, degree, total, rng);
      const u = colIdx[begin + i];
      if (!this.#conflicts(u, s1)) return u;
      weights[i] = 0;
      total = 0;
      for (let k = 0; k < degree; k++) total += weights[k];
    }
    return this.#uniformAdmissible(p, s1, rng);
  }

  /**
   * Uniform draw among admissible neighbours, by the exact tests: used when every admissible
   * weight underflowed to 0 (products of tiny probabilities at long deadlines) or every
   * positive-weight candidate was a conflicting jumper. -1 when none is admissible.
   */
  #uniformAdmissible(p: number, s1: number, rng: Rng): number {
    const { rowPtr, colIdx } = this.#graph;
    const { reach, n, K } = this.#tables;
    const first = (this.#pendingT[0] - s1) * n * K + this.#pendingB[0];
    const weights = this.#weights;
    const begin = rowPtr[p];
    const degree = rowPtr[p + 1] - begin;
    let admissible = 0;
    for (let i = 0; i < degree; i++) {
      const u = colIdx[begin + i];
      const ok = reach[first + u * K] === 1 && !this.#conflicts(u, s1);
      weights[i] = ok ? 1 : 0;
      if (ok) admissible++;
    }
    return admissible === 0 ? -1 : colIdx[begin + pickWeighted(weights, degree, admissible, rng)];
  }

  /** True iff u is a jumper whose checkpoint (due inside the walk) would break the feasibility chain. */
  #conflicts(u: number, s1: number): boolean {
    const r = this.#jumperR[u];
    return r > 0 && s1 + r < this.walkLength && !this.#canAdd(u, s1);
  }

  /** True iff jumper u met at step s1 leaves the pending chain plus its new checkpoint feasible. */
  #canAdd(u: number, s1: number): boolean {
    const { reach, universal, n, K } = this.#tables;
    const T = this.#pendingT;
    const B = this.#pendingB;
    const r = this.#jumperR[u];
    const t = s1 + r;
    const b = this.#jumperTarget[u];
    let next = 0;
    while (next < this.#pending && T[next] <= t) next++;
    const prev = next - 1;
    const headOk =
      prev >= 0 ? universal[((t - T[prev]) * K + B[prev]) * K + b] === 1 : reach[(r * n + u) * K + b] === 1;
    if (!headOk) return false;
    return next >= this.#pending || universal[((T[next] - t) * K + b) * K + B[next]] === 1;
  }
}

/**
 * For k = 0..maxK-1 (the horizons a pending checkpoint can have), vertex p and block b: the largest
 * prob_k(u, b) over p's out-neighbours u. Same index layout as `tables.prob`; rows k >= maxK are 0.
 */
export function neighbourMaxima(graph: DcsbmGraph, tables: Reachability, maxK: number): Float64Array {
  const { n, K, rowPtr, colIdx } = graph;
  const maxima = new Float64Array((tables.maxSteps + 1) * n * K);
  for (let k = 0; k < maxK; k++) {
    const layer = k * n * K;
    for (let p = 0; p < n; p++) {
      const out = layer + p * K;
      for (let e = rowPtr[p]; e < rowPtr[p + 1]; e++) {
        const src = layer + colIdx[e] * K;
        for (let b = 0; b < K; b++) if (tables.prob[src + b] > maxima[out + b]) maxima[out + b] = tables.prob[src + b];
      }
    }
  }
  return maxima;
}

/** Index of the candidate drawn with probability weight / total among weights > 0. */
function pickWeighted(weights: Float64Array, degree: number, total: number, rng: Rng): number {
  let x = rng.float() * total;
  let last = -1;
  for (let i = 0; i < degree; i++) {
    const w = weights[i];
    if (w <= 0) continue;
    if (x < w) return i;
    x -= w;
    last = i;
  }
  // Rounding can leave x just above the last cumulative weight.
  return last;
}

function checkJumper(j: Jumper, graph: DcsbmGraph, tables: Reachability, walkLength: number, duplicate: boolean): void {
  const { vertex, targetBlock, r } = j;
  if (!(vertex >= 0 && vertex < graph.n && targetBlock >= 0 && targetBlock < graph.K && Number.isInteger(r) && r >= 1)) {
    throw new InputError(`walks: jumper ${JSON.stringify(j)} is outside the graph (n=${graph.n}, K=${graph.K}) or has r < 1`);
  }
  if (duplicate) throw new InputError(`walks: vertex ${vertex} is designated as a jumper twice`);
  // A rule whose deadline can never fall inside a walk is never enforced, so it needs no table rows.
  if (r >= walkLength) return;
  if (r > tables.maxSteps) {
    throw new InputError(`walks: jumper ${vertex} has r=${r} but the reachability tables cover ${tables.maxSteps} steps`);
  }
  if (tables.reach[(r * tables.n + vertex) * tables.K + targetBlock] !== 1) {
    throw new InputError(`walks: jumper ${vertex} cannot reach its target block ${targetBlock} in exactly r=${r} steps`);
  }
}
