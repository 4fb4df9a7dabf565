/**
 * Exact (erf-form) GELU: 0.5 x (1 + erf(x / sqrt 2)), as PyTorch's default `nn.GELU()`.
 *
 * onnxruntime has no float64 Erf kernel, so float64 graphs (gradient checks) use
 * {@link erfSeries}, a decomposition into elementwise ops that is exact to float64 rounding.
 */
import type { GraphBuilder, Value } from '../onnx/graph-builder';

// Terms of the series and the clamp point: erf(6) rounds to 1 in float64, and 100 terms reach
// float64 rounding for every |x| <= 6.
const SERIES_TERMS = 100;
const SATURATION = 6;

/**
 * GELU of `x`. In float32 graphs it is a composite with a hand-derived gradient that reuses
 * the forward's Φ(x): d/dx = Φ(x) + x φ(x), 11 elementwise passes for forward and backward
 * against 15 for generic autodiff of the decomposition, and a single Erf. float64 graphs use
 * the plain decomposition with {@link erfSeries}, differentiated op by op.
 */
export function gelu(b: GraphBuilder, x: Value): Value {
  if (b.float === 'float64') {
    const e = erfSeries(b, b.mul(x, Math.SQRT1_2));
    return b.mul(b.mul(x, 0.5), b.add(e, 1));
  }
  return b.composite('Gelu', [x], () => {
    const s = b.mul(x, Math.SQRT1_2);
    const cdf = b.add(b.mul(b.unary('Erf', s), 0.5), 0.5);
    const output = b.mul(x, cdf);
    const gradient = (g: GraphBuilder, gy: Value) => {
      // x φ(x) = s · exp(ln(1/sqrt(pi)) - s²) with s = x/sqrt(2): the constant rides in the Exp.
      const scaledDensity = g.unary('Exp', g.sub(-0.5 * Math.log(Math.PI), g.mul(s, s)));
      return [g.mul(gy, g.add(cdf, g.mul(s, scaledDensity)))];
    };
    return { output, gradient };
  });
}

/**
 * s (1 + erf(s)), which is sqrt(2) GELU(sqrt(2) s): GELU in the variable s = z / sqrt(2) that
 * erf takes, with both constant factors left to the caller (the MLP folds them into its
 * Gemms' alpha and beta, where they cost nothing). In float32 graphs it is a composite of 3
 * elementwise passes forward and 6 backward, d/ds = (1 + erf s) + s (2/sqrt(pi)) exp(-s²),
 * reusing the forward's 1 + erf s; float64 graphs use {@link erfSeries}, differentiated op
 * by op.
 */
export function scaledGelu(b: GraphBuilder, s: Value): Value {
  if (b.float === 'float64') return b.mul(s, b.add(erfSeries(b, s), 1));
  return b.composite('ScaledGelu', [s], () => {
    const onePlusErf = b.add(b.unary('Erf', s), 1);
    const output = b.mul(s, onePlusErf);
    const gradient = (g: GraphBuilder, gy: Value) => {
      // s (2/sqrt(pi)) exp(-s²) = s exp(ln(2/sqrt(pi)) - s²): the constant rides in the Exp.
      const density = g.unary('Exp', g.sub(Math.log(2 / Math.sqrt(Math.PI)), g.mul(s, s)));
      return [g.mul(gy, g.add(onePlusErf, g.mul(s, density)))];
    };
    return { output, gradient };
  });
}

/**
 * erf(x) = (2/sqrt(pi)) x exp(-x^2) sum_n (2x^2)^n / (2n+1)!!, evaluated in nested (Horner) form.
 * All terms are positive, so there is no cancellation; beyond |x| = 6, erf is sign(x).
 */
export function erfSeries(b: GraphBuilder, x: Value): Value {
  const saturated = b.greater(b.unary('Abs', x), SATURATION);
  const xc = b.where(saturated, 0, x);
  const u = b.mul(b.mul(xc, xc), 2);
  // Nested form 1 + u/3 (1 + u/5 (1 + ...)): its constants 1/(2n+3) stay far from float32
  // underflow, unlike the raw coefficients 1/(2n+1)!!, which onnxruntime's constant sharing
  // merges once they round to the same float32 value.
  let sum = b.add(b.mul(u, 1 / (2 * SERIES_TERMS + 1)), 1);
  for (let n = SERIES_TERMS - 1; n >= 1; n--) sum = b.add(b.mul(b.mul(sum, u), 1 / (2 * n + 1)), 1);
  const gauss = b.unary('Exp', b.neg(b.mul(xc, xc)));
  const series = b.mul(b.mul(b.mul(xc, gauss), sum), 2 / Math.sqrt(Math.PI));
  return b.where(saturated, b.unary('Sign', x), series);
}
