/**
 * The standard normal CDF and quantile in double precision, for the BCa interval (its bias
 * correction and acceleration move the percentile levels through Φ and Φ⁻¹, so an error here
 * shifts the interval). Both match SciPy's `ndtr` / `ndtri` to about 1e-15 relative.
 *
 * erfc follows the rational approximations of Sun's fdlibm `s_erf.c` (error below 1 ulp on
 * each range); the quantile is Wichura's AS241 (PPND16, relative error about 1e-16).
 */

// erfc on |x| < 0.84375: erfc(x) = 1 − x − x·P(x²)/Q(x²).
const PP = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [1, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6];
// erfc on 0.84375 <= |x| < 1.25, around erf(1) ≈ ERX + P(s)/Q(s), s = |x| − 1.
const ERX = 8.45062911510467529297e-1;
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.16637559486879084300e-3];
const QA = [1, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2];
// erfc on 1.25 <= |x| < 1/0.35: erfc(x) = exp(−x² − 0.5625 + R(1/x²)/S(1/x²)) / x.
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592];
const SA = [1, 1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2];
// Same form on 1/0.35 <= |x| < 28.
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2];
const SB = [1, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1];

/** Σ c[i]·x^i by Horner's rule. */
function polynomial(c: readonly number[], x: number): number {
  let sum = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) sum = sum * x + c[i];
  return sum;
}

/** The complementary error function, with full relative precision in both tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -56) return 1 - x;
    const y = polynomial(PP, x * x) / polynomial(QQ, x * x);
    // Below 1/4 the result is near 1 and 1 − (x + x·y) loses nothing; above, splitting off 0.5 does.
    return x < 0.25 ? 1 - (x + x * y) : 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const pq = polynomial(PA, s) / polynomial(QA, s);
    return x >= 0 ? 1 - ERX - pq : 1 + (ERX + pq);
  }
  if (ax >= 28) return x > 0 ? 0 : 2;
  if (x < -6) return 2; // erfc(−6) = 2 − 2e-17: 2 to double precision.
  const s = 1 / (ax * ax);
  const rs = ax < 1 / 0.35 ? polynomial(RA, s) / polynomial(SA, s) : polynomial(RB, s) / polynomial(SB, s);
  // exp(−x²) with x² split as z² + (z − x)(z + x), where z keeps 24 significant bits so that z²
  // is exact; otherwise the rounding of x² is amplified by exp into a large relative error.
  const z = Math.fround(ax);
  const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + rs);
  return x > 0 ? r / ax : 2 - r / ax;
}

/** Φ(x), the standard normal CDF; accurate relative to Φ itself far into the lower tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

// AS241 coefficients (Wichura 1988), numerator a / denominator b per region.
const CENTRAL_A = [3.387132872796366608, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3];
const CENTRAL_B = [1, 4.2313330701600911252e1, 6.871870074920579083e2, 5.3941960214247511077e3, 2.1213794301586595867e4, 3.930789580009271061e4, 2.8729085735721942674e4, 5.226495278852854561e3];
const NEAR_A = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 2.4178072517745061177e-1, 2.27238449892691845833e-2, 7.7454501427834140764e-4];
const NEAR_B = [1, 2.05319162663775882187, 1.6763848301838038494, 6.8976733498510000455e-1, 1.4810397642748007459e-1, 1.51986665636164571966e-2, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const FAR_A = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 2.9656057182850489123e-1, 2.6532189526576123093e-2, 1.2426609473880784386e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const FAR_B = [1, 5.9983220655588793769e-1, 1.3692988092273580531e-1, 1.48753612908506148525e-2, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

/** Φ⁻¹(p), the standard normal quantile: −∞ at 0, +∞ at 1, NaN outside [0, 1]. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_A, r)) / polynomial(CENTRAL_B, r);
  }
  // The tails are computed from the smaller of p and 1 − p, so p near 1 keeps its precision.
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const x = r <= 5 ? rational(NEAR_A, NEAR_B, r - 1.6) : rational(FAR_A, FAR_B, r - 5);
  return q < 0 ? -x : x;
}

function rational(numerator: readonly number[], denominator: readonly number[], x: number): number {
  return polynomial(numerator, x) / polynomial(denominator, x);
}
