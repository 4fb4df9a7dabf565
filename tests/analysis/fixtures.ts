/** A small planted-signal evaluation for the analysis tests. */
import type { AnalysisInputs } from '../../src/analysis/analyse-experiment';
import { Rng } from '../../src/random/rng';

export const SEQUENCES = 60;
export const LENGTH = 20;
export const ENCOUNTER = 2;
export const R = 5;
export const PRIMARY = 'qkt.layer_0.head_0.spectral_entropy';
export const NOISE = 'avwo.layer_0.head_0.condition_number';
export const CONSTANT = 'wvwo.layer_0.head_0.stable_rank';

/**
 * Sequences 0..59 of length 20 with one jumper met at step 2 (r = 5, resolved at R = 7); odd
 * sequences violate it. The primary metric is 1 higher in violating sequences at steps 4..6
 * (lookbacks 1..3) and pure noise before; the second metric is noise; the third is constant.
 */
export function syntheticInputs(overrides: Partial<AnalysisInputs['settings']> = {}): AnalysisInputs {
  const rows = SEQUENCES * (LENGTH - 1);
  const rng = Rng.derive(7, 'analysis-test');
  const primary = new Float64Array(rows);
  const noise = new Float64Array(rows);
  const constant = new Float64Array(rows).fill(3);
  for (let i = 0; i < SEQUENCES; i++) {
    for (let s = 0; s < LENGTH - 1; s++) {
      const row = i * (LENGTH - 1) + s;
      primary[row] = rng.float() + (i % 2 === 1 && s >= 4 && s <= 6 ? 1 : 0);
      noise[row] = rng.float();
    }
  }
  const columns = new Map([[PRIMARY, primary], [NOISE, noise], [CONSTANT, constant]]);
  const offsets = Int32Array.from({ length: SEQUENCES + 1 }, (_, i) => i * LENGTH);
  const tokens = Int32Array.from({ length: SEQUENCES * LENGTH }, (_, k) => k); // all distinct
  return {
    sequences: {
      length: new Int32Array(SEQUENCES).fill(LENGTH),
      failureIndex: Int32Array.from({ length: SEQUENCES }, (_, i) => (i % 2 === 1 ? ENCOUNTER + R - 1 : -1)),
      split: Int32Array.from({ length: SEQUENCES }, (_, i) => Math.floor(i / 2) % 2),
      tokens: { offsets, values: tokens },
    },
    encounters: {
      sequence: Int32Array.from({ length: SEQUENCES }, (_, i) => i),
      encounterStep: new Int32Array(SEQUENCES).fill(ENCOUNTER),
      resolutionStep: new Int32Array(SEQUENCES).fill(ENCOUNTER + R),
      r: new Int32Array(SEQUENCES).fill(R),
      outcome: Int32Array.from({ length: SEQUENCES }, (_, i) => (i % 2 === 1 ? 2 : 1)),
    },
    metricKeys: [PRIMARY, NOISE, CONSTANT],
    readColumn: async (key) => columns.get(key)!,
    settings: { nPermutations: 199, nBootstrap: 500, threshold: 0.75, alpha: 0.05, seed: 42, dedupe: false, ...overrides },
  };
}

