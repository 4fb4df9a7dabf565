/**
 * Distinct sequences for `analysis.dedupe` (method.md section 5): under the reference
 * protocol greedy decoding repeats sequences, and a repeated sequence is one observation, not
 * many. The first occurrence of each distinct token sequence is analysed.
 */

/** Token lists of the sequences, as stored in sequences.parquet. */
export interface SequenceTokens {
  offsets: Int32Array;
  values: Int32Array;
}

/** 1 for the first occurrence of each distinct token sequence, 0 for repeats. */
export function firstOccurrences(tokens: SequenceTokens): Uint8Array {
  const count = tokens.offsets.length - 1;
  const include = new Uint8Array(count);
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const key = tokens.values.subarray(tokens.offsets[i], tokens.offsets[i + 1]).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    include[i] = 1;
  }
  return include;
}
