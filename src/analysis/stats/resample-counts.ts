/**
 * Bootstrap resampling as multiplicity counts. A resample of n events drawn with replacement is
 * fully described by how often each event was drawn, so the bootstrap never materialises the
 * resampled values; it only adds 1 per draw to a weight vector.
 *
 * The draws dominate the bootstrap's cost (60,000 per resample, 10,000 resamples), so each is
 * mapped from random bits without a division (Lemire 2019, "Fast random integer generation in an
 * interval"): index = floor(x·n / 2^w) for a w-bit draw x, rejecting the few x whose low product
 * bits fall in the short final slice, which makes every index exactly equally likely. For
 * n ≤ 2^16 each 32-bit draw of the Rng is split into two 16-bit halves (low half first), which
 * halves the generator calls; larger n use whole 32-bit draws.
 */
import type { Rng } from '../../random/rng';

/** Largest resample size: x·n must stay exact in a double (x < 2^32, so n < 2^21). */
export const MAX_RESAMPLE_SIZE = 2 ** 21;

const TWO_16 = 65536;
const TWO_32 = 4294967296;

/**
 * Draws n = positions.length indices i uniformly from [0, n) with replacement and adds 1 to
 * `weights[positions[i]]` for each (positions map an event to its slot, e.g. its sorted
 * position; pass the identity to count per event). Throws RangeError when n exceeds
 * {@link MAX_RESAMPLE_SIZE}.
 */
export function addResampleCounts(rng: Rng, positions: Uint32Array, weights: Int32Array): void {
  const n = positions.length;
  if (n > MAX_RESAMPLE_SIZE) throw new RangeError(`addResampleCounts: resample size must be at most 2^21, got ${n}`);
  if (n <= TWO_16) addCounts16(rng, positions, weights);
  else addCounts32(rng, positions, weights);
}

function addCounts16(rng: Rng, positions: Uint32Array, weights: Int32Array): void {
  const n = positions.length;
  // Products whose low 16 bits fall below 2^16 mod n belong to the partial slice.
  const threshold = TWO_16 % n;
  let drawn = 0;
  while (drawn < n) {
    const x = rng.uint32();
    const low = (x & 0xffff) * n; // < 2^32: exact, and >>> / & read it modulo 2^32
    if ((low & 0xffff) >= threshold) {
      weights[positions[low >>> 16]]++;
      if (++drawn === n) break;
    }
    const high = (x >>> 16) * n;
    if ((high & 0xffff) >= threshold) {
      weights[positions[high >>> 16]]++;
      drawn++;
    }
  }
}

function addCounts32(rng: Rng, positions: Uint32Array, weights: Int32Array): void {
  const n = positions.length;
  const threshold = TWO_32 % n;
  for (let drawn = 0; drawn < n; drawn++) {
    let x = rng.uint32();
    while (Math.imul(x, n) >>> 0 < threshold) x = rng.uint32();
    weights[positions[Math.floor((x * n) / TWO_32)]]++;
  }
}
