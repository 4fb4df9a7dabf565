/**
 * The nine spectral metrics of reference-pipeline.md §8.4, computed from a {@link SvdResult},
 * plus the non-finite guard and the metric key format (method.md §5).
 *
 * Every formula keeps the reference's ε = 1e-12 exactly where the reference puts it, so
 * values match the reference up to its float32 rounding (ours are float64).
 */
import type { SvdResult } from './thin-svd';

/** ε added to denominators and logarithms, as in the reference. */
export const METRIC_EPSILON = 1e-12;

/** Upper cap of `condition_number`, and the value the guard writes for +∞. */
export const CONDITION_NUMBER_CAP = 1e6;

/** The nine metric slots per (target, layer, head), in the reference's order. */
export const METRIC_NAMES = [
  'stable_rank',
  'spectral_entropy',
  'spectral_gap_1_2',
  'spectral_gap_2_3',
  'spectral_gap_4_5',
  'condition_number',
  'rank1_residual_norm',
  'read_write_alignment',
  'grassmannian_distance',
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * The SVD targets in the reference's key insertion order: `qkt` (masked scaled scores, T x T),
 * `wvwo` (static Wvᵀ·Woᵀ, d x d), `avwo` (A·V·Woᵀ, T x d).
 */
export const SVD_TARGETS = ['qkt', 'wvwo', 'avwo'] as const;

/** One of {@link SVD_TARGETS}. */
export type SvdTarget = (typeof SVD_TARGETS)[number];

/** Number of leading left singular vectors spanning the subspace of `grassmannian_distance`. */
export const GRASSMANNIAN_RANK = 2;

const INDEX: Readonly<Record<MetricName, number>> = Object.fromEntries(METRIC_NAMES.map((name, i) => [name, i])) as Record<MetricName, number>;

/** Position of `metric` in {@link METRIC_NAMES} (and in the output of {@link computeMetrics}). */
export function metricIndex(metric: MetricName): number {
  return INDEX[metric];
}

/**
 * Whether a target ever has a value for a metric: `avwo` has no `read_write_alignment`
 * (it is not square), `wvwo` has no `grassmannian_distance` (it is static). Slots that are
 * not available stay NaN but keep their key, as in the reference.
 */
export function isMetricAvailable(target: SvdTarget, metric: MetricName): boolean {
  if (target === 'avwo' && metric === 'read_write_alignment') return false;
  if (target === 'wvwo' && metric === 'grassmannian_distance') return false;
  return true;
}

/** `{target}.layer_{l}.head_{h}.{metric}`, the per-head key (no legacy alias, method.md §5). */
export function metricKey(target: SvdTarget, layer: number, head: number, metric: MetricName): string {
  return `${guardKey(target, layer, head)}.${metric}`;
}

/** `{target}.layer_{l}.head_{h}`, the key of a guard counter. */
export function guardKey(target: SvdTarget, layer: number, head: number): string {
  return `${target}.layer_${layer}.head_${head}`;
}

/**
 * Every metric key of a model, in the reference's insertion order: targets (qkt, wvwo, avwo),
 * then layer, head, metric. Includes the always-NaN slots.
 */
export function metricKeys(layers: number, heads: number): string[] {
  const keys: string[] = [];
  for (const target of SVD_TARGETS) {
    for (let l = 0; l < layers; l++) {
      for (let h = 0; h < heads; h++) for (const metric of METRIC_NAMES) keys.push(metricKey(target, l, h, metric));
    }
  }
  return keys;
}

/**
 * The non-finite guard: replaces NaN by 0, +∞ by 1e6 and −∞ by −1e6 in
 * `a[offset .. offset + length)`, in place.
 *
 * @returns whether any entry was replaced (the caller adds 1 to the target/layer/head
 *   counter per guarded tensor, not per entry)
 */
export function guardNonFinite(a: Float64Array, offset = 0, length = a.length - offset): boolean {
  let fired = false;
  const end = offset + length;
  for (let i = offset; i < end; i++) {
    const v = a[i];
    // v - v is 0 for finite v and NaN for ±∞ and NaN: one test on the hot path.
    if (v - v !== 0) {
      a[i] = Number.isNaN(v) ? 0 : v > 0 ? CONDITION_NUMBER_CAP : -CONDITION_NUMBER_CAP;
      fired = true;
    }
  }
  return fired;
}

/** What {@link computeMetrics} needs besides the SVD. */
export interface MetricContext {
  /** The target, for the availability rules. */
  target: SvdTarget;
  /**
   * Top left singular vectors of the previous step of the same sequence, target, layer and
   * head, concatenated (u₁ then u₂, each of length m); null at a sequence's first step.
   */
  previousLeft: Float64Array | null;
}

/**
 * Writes the nine metrics of `svd` into `out[offset .. offset + 9)` in {@link METRIC_NAMES}
 * order; unavailable metrics are NaN.
 */
export function computeMetrics(svd: SvdResult, context: MetricContext, out: Float64Array, offset = 0): void {
  const s = svd.values;
  const k = s.length;
  out[offset + INDEX.stable_rank] = stableRank(s);
  out[offset + INDEX.spectral_entropy] = spectralEntropy(s);
  out[offset + INDEX.spectral_gap_1_2] = k >= 2 ? s[0] - s[1] : Number.NaN;
  out[offset + INDEX.spectral_gap_2_3] = k >= 3 ? s[1] - s[2] : Number.NaN;
  out[offset + INDEX.spectral_gap_4_5] = k >= 5 ? s[3] - s[4] : Number.NaN;
  out[offset + INDEX.condition_number] = conditionNumber(s);
  out[offset + INDEX.rank1_residual_norm] = rank1ResidualNorm(s);
  out[offset + INDEX.read_write_alignment] =
    isMetricAvailable(context.target, 'read_write_alignment') && svd.rows === svd.cols ? Math.abs(dotVectors(svd.u1, svd.v1)) : Number.NaN;
  out[offset + INDEX.grassmannian_distance] =
    isMetricAvailable(context.target, 'grassmannian_distance') && context.previousLeft !== null
      ? grassmannianDistance(context.previousLeft, svd)
      : Number.NaN;
}

/**
 * Copies the top left vectors of `svd` (u₁ then u₂) into `out`, the `previousLeft` of the
 * next step. `out` must have length leftCount·m.
 */
export function saveLeftVectors(svd: SvdResult, out: Float64Array): void {
  out.set(svd.u1, 0);
  if (svd.leftCount >= 2) out.set(svd.u2, svd.rows);
}

/** Σ sᵢ² / (s₁² + ε). */
export function stableRank(s: Float64Array): number {
  return sumSquares(s, 0) / (s[0] * s[0] + METRIC_EPSILON);
}

/** −Σ pᵢ·ln(pᵢ + ε) with pᵢ = sᵢ / (Σ s + ε), clamped at ≥ 0. */
export function spectralEntropy(s: Float64Array): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i];
  const denominator = total + METRIC_EPSILON;
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    const p = s[i] / denominator;
    h -= p * Math.log(p + METRIC_EPSILON);
  }
  return Math.max(h, 0);
}

/** min(s₁ / (s_k + ε), 1e6). */
export function conditionNumber(s: Float64Array): number {
  return Math.min(s[0] / (s[s.length - 1] + METRIC_EPSILON), CONDITION_NUMBER_CAP);
}

/** sqrt(Σ_{i≥2} sᵢ² + ε) / (sqrt(Σ sᵢ² + ε) + ε). */
export function rank1ResidualNorm(s: Float64Array): number {
  return Math.sqrt(sumSquares(s, 1) + METRIC_EPSILON) / (Math.sqrt(sumSquares(s, 0) + METRIC_EPSILON) + METRIC_EPSILON);
}

/**
 * Geodesic distance sqrt(Σ θᵢ²) between span(previous u₁, u₂) and span(current u₁, u₂), with
 * θᵢ = arccos(clamp(σᵢ(U_prevᵀ U_cur), −1, 1)), as the reference computes it. (arccos near 1
 * limits the absolute accuracy of very small distances to ~1e-8; the reference shares it.)
 */
export function grassmannianDistance(previousLeft: Float64Array, svd: SvdResult): number {
  const m = svd.rows;
  if (previousLeft.length !== svd.leftCount * m) {
    throw new RangeError(`grassmannianDistance: previousLeft has length ${previousLeft.length}, expected ${svd.leftCount * m}`);
  }
  if (svd.leftCount === 1) return angle(Math.abs(dotAt(previousLeft, 0, svd.u1)));
  // M = U_prevᵀ U_cur is 2 x 2; its singular values have a closed form.
  const a = dotAt(previousLeft, 0, svd.u1);
  const b = dotAt(previousLeft, 0, svd.u2);
  const c = dotAt(previousLeft, m, svd.u1);
  const d = dotAt(previousLeft, m, svd.u2);
  const [sigma1, sigma2] = singularValues2x2(a, b, c, d);
  return Math.sqrt(angle(sigma1) ** 2 + angle(sigma2) ** 2);
}

/** Singular values of [[a, b], [c, d]], descending, without cancellation for either. */
export function singularValues2x2(a: number, b: number, c: number, d: number): [number, number] {
  const plus = Math.hypot(a + d, c - b);
  const minus = Math.hypot(a - d, c + b);
  return [(plus + minus) / 2, Math.abs(plus - minus) / 2];
}

function angle(cosine: number): number {
  return Math.acos(Math.min(1, Math.max(-1, cosine)));
}

function sumSquares(s: Float64Array, from: number): number {
  let total = 0;
  for (let i = from; i < s.length; i++) total += s[i] * s[i];
  return total;
}

function dotVectors(x: Float64Array, y: Float64Array): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) total += x[i] * y[i];
  return total;
}

function dotAt(x: Float64Array, offset: number, y: Float64Array): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) total += x[offset + i] * y[i];
  return total;
}
