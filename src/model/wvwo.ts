/**
 * The static OV products of the `wvwo` SVD target (reference-pipeline.md sections 6 and 8.3):
 * per layer and head, WvWo_h = Wv_hᵀ · Wo_hᵀ (d × d), where Wv_h is rows h·dh … (h+1)·dh - 1
 * of Wv's [out, in] weight (dh × d) and Wo_h the matching COLUMNS of Wo's weight (d × dh).
 * With a single head this is Wvᵀ Woᵀ.
 *
 * Computed once per model in float64 from the float32 weights, because the project's SVD
 * runs in float64 (method.md section 5).
 */
import type { ModelDims } from './model-dims';
import { checkWeights, type ModelWeights } from './model-weights';

/** WvWo_h of every layer and head: `[layer][head]`, each d × d row-major. */
export type WvWoProducts = Float64Array[][];

/** WvWo_h for every layer and head of the model with `weights`; see the module comment. */
export function wvwoProducts(dims: ModelDims, weights: ModelWeights): WvWoProducts {
  checkWeights(dims, weights);
  return Array.from({ length: dims.layers }, (_, l) => {
    const wv = weights.get(`blocks.${l}.attn.v.weight`) as Float32Array;
    const wo = weights.get(`blocks.${l}.attn.o.weight`) as Float32Array;
    return Array.from({ length: dims.heads }, (_, h) => headProduct(wv, wo, dims.dModel, dims.heads, h));
  });
}

/**
 * Wv_hᵀ Wo_hᵀ for head `h`: entry [i, k] = Σ_j Wv[h·dh + j, i] · Wo[k, h·dh + j], j < dh,
 * with both d × d weights row-major [out, in].
 */
function headProduct(wv: Float32Array, wo: Float32Array, d: number, heads: number, h: number): Float64Array {
  const dh = d / heads;
  const out = new Float64Array(d * d);
  for (let j = h * dh; j < (h + 1) * dh; j++) {
    // Rank-1 update: column j of Wv's transpose (row j of Wv) times row j of Wo's transpose (column j of Wo).
    for (let i = 0; i < d; i++) {
      const v = wv[j * d + i];
      for (let k = 0; k < d; k++) out[i * d + k] += v * wo[k * d + j];
    }
  }
  return out;
}
