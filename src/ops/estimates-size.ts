/**
 * Artifact size models: bytes of each stage's published artifact (its files and manifest) as a
 * function of its workload (estimates-workload.ts). Used as they are when the store has no
 * earlier artifact of the stage, and as the yardstick an earlier artifact's real size is
 * compared with otherwise (estimates.ts).
 *
 * The per-unit figures were fitted to the artifacts of configs/tiny.json, configs/quick.json
 * and, for graph and walks, configs/anchor.json (du -sb of each artifact folder, 2026-11-26).
 * Each model over-estimates all of them, never under (a disk check that errs must err on the
 * safe side); estimate / actual:
 *
 * | stage    | tiny | quick | anchor |
 * |----------|------|-------|--------|
 * | graph    | 1.15 | 1.09  | 1.39   |
 * | walks    | 1.42 | 1.30  | 1.25   |
 * | train    | 1.16 | 1.04 (its early stop left 2,500 of the 4,000 steps counted) | |
 * | evaluate | 1.32 | 1.11  |        |
 * | analyse  | 1.22 | 1.17  |        |
 * | figures  | 1.28 | 1.24  |        |
 *
 * tests/ops/estimates.test.ts holds the measured sizes and keeps every ratio within [1, 1.5].
 *
 * Parquet compresses, so bytes per value sit below the raw width: a float64 SVD metric costs
 * about 3.7 bytes per cell on average (a third of the columns, WvWo, are constant per
 * sequence, and the first w - 1 steps are NaN), an int32 walk token about 1.3.
 */
import type { AnalyseWork, EvaluateWork, FiguresWork, GraphWork, TrainWork, WalksWork } from './estimates-workload';

const KiB = 1024;

/** The graph's two small tables: ~1 byte per edge after compression; 1.5 to be safe. */
export function graphBytes(work: GraphWork): number {
  return 12 * KiB + 1.5 * work.units;
}

/** Tokens (~0.9-1.1 bytes each compressed, more with more vertices) and their jumper events (~0.3). */
export function walksBytes(work: WalksWork): number {
  return 24 * KiB + 1.6 * work.tokens;
}

/**
 * model.onnx and model_weights.bin hold every parameter as float32 (4 bytes each), the final
 * state the parameters and both AdamW moments (12); per step the loss curve (8 bytes in
 * final_state, ~13 in training_curves.parquet); each layer adds ~8 KiB of ONNX graph. The
 * checkpoint the stage keeps while it runs (another 12 bytes per parameter) is removed on
 * publish and not counted.
 */
export function trainBytes(work: TrainWork): number {
  return 48 * KiB + 8 * KiB * work.layers + 20 * work.parameters + 32 * work.steps;
}

/**
 * token_metrics: 4 bytes per metric cell and 16 per row for the six integer columns;
 * sequences: ~2 bytes per token and 24 per row; encounters: ~8 bytes each.
 */
export function evaluateBytes(work: EvaluateWork): number {
  const tokenMetrics = work.rows * (4 * work.metricColumns + 16);
  const sequences = 2 * work.rows + 24 * work.sequences;
  return 16 * KiB + tokenMetrics + sequences + 8 * work.encounters;
}

/**
 * permutation_nulls: one float64 row per permutation of each primary record (~6.5-7 bytes
 * compressed, 8 counted); analysis.json ~1.4 KB per record (1.6 counted); auroc.parquet one
 * row per record and lookback (~8 bytes); events.parquet ~12 bytes per event.
 */
export function analyseBytes(work: AnalyseWork): number {
  const nulls = 8 * work.primaryRecords * work.permutations;
  return 16 * KiB + nulls + 1600 * work.records + 8 * work.records * work.meanR + 12 * work.events;
}

/**
 * Ten SVG+PNG figures of ~1.2 MB at the smallest config, plus ~1.4 KB per analyse record (the
 * AUROC-by-lookback and horizon figures draw every record; 2 KiB counted).
 */
export function figuresBytes(work: FiguresWork): number {
  return 1400 * KiB + 2 * KiB * work.records;
}
