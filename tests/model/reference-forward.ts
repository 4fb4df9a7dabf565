/**
 * An independent float64 forward pass of the reference model (reference-pipeline.md
 * section 6), written directly over arrays: the oracle for the extraction graph's outputs.
 * It shares no code with src/model: plain LayerNorm with its affine applied to the
 * normalised input, unscaled Q with the score divided by sqrt(dh), an explicit causal loop,
 * and exact GELU through a float64 erf.
 */
import type { ModelDims } from '../../src/model/model-dims';

/** Parameter values by name (float32 or float64), row-major, Linears [out, in]. */
export type Weights = ReadonlyMap<string, ArrayLike<number>>;

/** One layer's attention internals for one window, per head, row-major. */
export interface LayerTrace {
  /** LN1(x) [T, d]. */
  normed: Float64Array;
  /** Scaled scores Q_h K_hᵀ / sqrt(dh), future entries 0: [H][T·T]. */
  qkt: Float64Array[];
  /** Softmax probabilities A_h: [H][T·T]. */
  probabilities: Float64Array[];
  /** V_h = LN1(x) Wv_hᵀ: [H][T·dh]. */
  values: Float64Array[];
  /** The attention block's output (concat_h A_h V_h) Woᵀ [T, d]. */
  attention: Float64Array;
}

/** The forward pass of one window. */
export interface ForwardTrace {
  /** Logits at the last position [vocab]. */
  logits: Float64Array;
  /** Logits at every position [T, vocab]. */
  positionLogits: Float64Array;
  layers: LayerTrace[];
}

const EPS = 1e-5;

/**
 * erf in float64: erf(x) = 2/sqrt(pi) · e^(-x²) · Σ_n (2x²)^n x / (1·3·…·(2n+1)), a series of
 * positive terms (no cancellation); erf rounds to ±1 in float64 beyond |x| = 6.
 */
export function erf64(x: number): number {
  if (Math.abs(x) >= 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** a [n, k] times wᵀ for w [m, k] (a Linear with weight w), plus optional bias [m]. */
export function linear(a: ArrayLike<number>, n: number, k: number, w: ArrayLike<number>, m: number, bias?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = bias ? bias[j] : 0;
      for (let t = 0; t < k; t++) s += a[i * k + t] * w[j * k + t];
      out[i * m + j] = s;
    }
  }
  return out;
}

/** Plain matrix product a [n, k] · b [k, m]. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let t = 0; t < k; t++) out[i * m + j] += a[i * k + t] * b[t * m + j];
  return out;
}

function layerNorm(x: Float64Array, n: number, d: number, scale: ArrayLike<number>, shift: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * d, (i + 1) * d);
    const mean = row.reduce((a, v) => a + v, 0) / d;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
    for (let j = 0; j < d; j++) out[i * d + j] = ((row[j] - mean) / Math.sqrt(variance + EPS)) * scale[j] + shift[j];
  }
  return out;
}

/** One head's scores, probabilities and values; `q`, `k`, `v` are [T, d]. */
function head(q: Float64Array, k: Float64Array, v: Float64Array, time: number, d: number, heads: number, h: number) {
  const dh = d / heads;
  const qkt = new Float64Array(time * time);
  const probabilities = new Float64Array(time * time);
  const values = new Float64Array(time * dh);
  for (let s = 0; s < time; s++) for (let j = 0; j < dh; j++) values[s * dh + j] = v[s * d + h * dh + j];
  for (let t = 0; t < time; t++) {
    for (let s = 0; s <= t; s++) {
      let dot = 0;
      for (let j = 0; j < dh; j++) dot += q[t * d + h * dh + j] * k[s * d + h * dh + j];
      qkt[t * time + s] = dot / Math.sqrt(dh);
    }
    const max = Math.max(...qkt.subarray(t * time, t * time + t + 1));
    let total = 0;
    for (let s = 0; s <= t; s++) total += probabilities[t * time + s] = Math.exp(qkt[t * time + s] - max);
    for (let s = 0; s <= t; s++) probabilities[t * time + s] /= total;
  }
  return { qkt, probabilities, values };
}

function attention(x: Float64Array, dims: ModelDims, w: (name: string) => ArrayLike<number>): LayerTrace {
  const { context: time, dModel: d, heads } = dims;
  const dh = d / heads;
  const normed = layerNorm(x, time, d, w('ln1.weight'), w('ln1.bias'));
  const [q, k, v] = ['q', 'k', 'v'].map((m) => linear(normed, time, d, w(`attn.${m}.weight`), d));
  const perHead = Array.from({ length: heads }, (_, h) => head(q, k, v, time, d, heads, h));
  const merged = new Float64Array(time * d);
  perHead.forEach(({ probabilities, values }, h) => {
    const out = matmul(probabilities, values, time, time, dh);
    for (let t = 0; t < time; t++) for (let j = 0; j < dh; j++) merged[t * d + h * dh + j] = out[t * dh + j];
  });
  return {
    normed,
    qkt: perHead.map((p) => p.qkt),
    probabilities: perHead.map((p) => p.probabilities),
    values: perHead.map((p) => p.values),
    attention: linear(merged, time, d, w('attn.o.weight'), d),
  };
}

function mlp(x: Float64Array, dims: ModelDims, w: (name: string) => ArrayLike<number>): Float64Array {
  const { context: time, dModel: d } = dims;
  const normed = layerNorm(x, time, d, w('ln2.weight'), w('ln2.bias'));
  const z = linear(normed, time, d, w('mlp.fc1.weight'), 4 * d, w('mlp.fc1.bias'));
  const g = z.map((v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)));
  return linear(g, time, 4 * d, w('mlp.fc2.weight'), d, w('mlp.fc2.bias'));
}

/** The forward pass of one full window `tokens` [w]. */
export function referenceForward(dims: ModelDims, weights: Weights, tokens: ArrayLike<number>): ForwardTrace {
  const { context: time, dModel: d, vocab } = dims;
  const get = (name: string) => weights.get(name) as ArrayLike<number>;
  const [tok, pos] = [get('token_embedding.weight'), get('position_embedding.weight')];
  const x = Float64Array.from({ length: time * d }, (_, i) => tok[tokens[Math.floor(i / d)] * d + (i % d)] + pos[i]);
  const layers: LayerTrace[] = [];
  for (let l = 0; l < dims.layers; l++) {
    const w = (name: string) => get(`blocks.${l}.${name}`);
    const trace = attention(x, dims, w);
    x.set(x.map((v, i) => v + trace.attention[i]));
    const m = mlp(x, dims, w);
    x.set(x.map((v, i) => v + m[i]));
    layers.push(trace);
  }
  const positionLogits = linear(layerNorm(x, time, d, get('ln_f.weight'), get('ln_f.bias')), time, d, get('head.weight'), vocab);
  return { logits: positionLogits.slice((time - 1) * vocab), positionLogits, layers };
}
