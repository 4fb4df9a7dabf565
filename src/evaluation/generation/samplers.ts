/**
 * Token choice for evaluation generation (method.md section 5): greedy decoding for the
 * `reference` protocol and temperature sampling for the `sampled` protocol. Both are
 * {@link TokenPicker}s, the picker shape the training gate's loop already uses, so the gate and
 * evaluation decode through one contract. See docs/evaluation-generation.md.
 */
import { Rng } from '../../random/rng';
import { greedyPicker, type TokenPicker } from '../../training/generation';

export { greedyPicker, type TokenPicker };

/** The evaluation protocols of `evaluation.protocol`. */
export type EvaluationProtocol = 'sampled' | 'reference';

/**
 * The random stream of evaluation sequence `sequence` under master seed `seed`. One stream per
 * sequence (not per batch) makes every sequence independent of batching and of the others.
 */
export function sequenceRng(seed: number, sequence: number): Rng {
  return Rng.derive(seed, 'evaluate', 'sequence', sequence);
}

/**
 * Draws one token from softmax(logits[offset .. offset + vocab) / temperature), computed in
 * float64 with the maximum subtracted (so tiny temperatures do not overflow), by inverting the
 * cumulative distribution at one `rng.float()`. Exactly one float is drawn per call, so a
 * stream's position is the number of tokens sampled from it.
 *
 * Throws RangeError for a temperature that is not a finite positive number, and when the
 * largest logit is not finite (NaN or infinite logits mean the model output is unusable;
 * `-Infinity` entries below a finite maximum are allowed and never drawn).
 */
export function sampleToken(logits: ArrayLike<number>, offset: number, vocab: number, temperature: number, rng: Rng): number {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new RangeError(`sampleToken: temperature must be a finite number > 0, got ${temperature}`);
  }
  const max = largestLogit(logits, offset, vocab);
  const weights = new Float64Array(vocab);
  let total = 0;
  for (let v = 0; v < vocab; v++) {
    weights[v] = Math.exp((logits[offset + v] - max) / temperature);
    total += weights[v];
  }
  const u = rng.float() * total;
  let cumulative = 0;
  let last = 0;
  for (let v = 0; v < vocab; v++) {
    if (weights[v] === 0) continue;
    cumulative += weights[v];
    last = v;
    if (u < cumulative) return v;
  }
  // Rounding can leave u at or just above the final cumulative sum: the last possible token.
  return last;
}

/** The maximum of the row; throws RangeError when it, or any entry, is NaN, or it is infinite. */
function largestLogit(logits: ArrayLike<number>, offset: number, vocab: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const value = logits[offset + v];
    if (Number.isNaN(value)) throw new RangeError(`sampleToken: logit ${v} is NaN`);
    if (value > max) max = value;
  }
  if (!Number.isFinite(max)) throw new RangeError(`sampleToken: the largest logit is ${max}`);
  return max;
}

/**
 * A picker that samples at `temperature`, keeping one {@link sequenceRng} per sequence index
 * (the picker's `row` argument), created on first use. Sequence i's tokens therefore depend
 * only on (seed, i, its logits), whatever batches it is generated in.
 */
export function temperaturePicker(seed: number, temperature: number): TokenPicker {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new RangeError(`temperaturePicker: temperature must be a finite number > 0, got ${temperature}`);
  }
  const streams = new Map<number, Rng>();
  return (logits, offset, vocab, row) => {
    let rng = streams.get(row);
    if (rng === undefined) {
      rng = sequenceRng(seed, row);
      streams.set(row, rng);
    }
    return sampleToken(logits, offset, vocab, temperature, rng);
  };
}

/** The picker of a protocol: greedy for `reference`, {@link temperaturePicker} for `sampled`. */
export function pickerFor(protocol: EvaluationProtocol, seed: number, temperature: number): TokenPicker {
  return protocol === 'reference' ? greedyPicker : temperaturePicker(seed, temperature);
}
