/**
 * The permutation (shuffle) control of the analysis stage: {@link permutationControl}, its
 * types, and the permutation generator (for checks that replay a permutation).
 */
export { permutationControl } from './permutation-control';
export { COIN_FLIP_MIN_FRACTION, SubsetSampler, permutationStream } from './subsets';
export { DEFAULT_PERMUTATIONS, type PermutationControlInput, type PermutationControlResult } from './types';
