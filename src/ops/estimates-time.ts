/**
 * Compute-time models from the benchmark figures: seconds each stage takes on the project's
 * reference machine (2 cores, idle; docs/benchmarks.md), as a function of its workload
 * (estimates-workload.ts). A host with more cores is faster and a busy one slower, so these
 * are used only where this host has no earlier artifact of the stage; otherwise the ratio of
 * its real times to these figures corrects them (estimates.ts).
 *
 * On the 2-core dev machine at load ~8 (other sessions' tests), 2026-11-26, the stages of
 * configs/tiny.json took graph 0.1 s, walks 1.7, train 1.9, evaluate 4.5, analyse 7.4,
 * figures 4.3 against 0.2, 2.0, 2.1, 2.7, 3.5, 4.0 here; configs/quick.json took 0.1, 2.3,
 * 135 (2,500 of its 4,000 steps, 54 ms a step against the idle 7.2), 22, 72, 2.4 against
 * 0.2, 2.2, 30 (4,000 steps), 18, 58, 4.0. The busy machine ran a training step 5x slower than
 * idle, which no model of the workload can know: that is what the host's own history is for.
 */
import type { AnalyseWork, EvaluateWork, FiguresWork, GraphWork, TrainWork, WalksWork } from './estimates-workload';

/** Measured on the dev machine (the data suite of `npm run bench` times the same stages): 0.1-0.2 s at every size tried. */
export function graphSeconds(work: GraphWork): number {
  return 0.2 + 1e-6 * work.units;
}

/** configs/anchor.json's 56.9 M tokens took 10.8 s, the small configs ~2 s of start-up (worker threads, Parquet). */
export function walksSeconds(work: WalksWork): number {
  return 2 + 0.17e-6 * work.tokens;
}

/**
 * Training step time `a + FLOPs / rate` through the two measured shapes of the `train` suite
 * (2 threads): the anchor's 22.51 GFLOP in ~150 ms and the small shape's 0.668 GFLOP in
 * 7.3 ms give a = 2.9 ms of per-step overhead and 153 GFLOP/s; 1.5 s for the sessions.
 * Tiny models are over-estimated (configs/tiny.json's step takes ~0.6 ms, not 2.9).
 */
export function trainSeconds(work: TrainWork): number {
  return 1.5 + work.computedSteps * (2.9e-3 + work.stepFlops / 153e9);
}

/**
 * Evaluation: per sequence-step and layer-head, a fixed 62.8 µs (generation and the small-SVD
 * overhead) plus 0.522 ns per m·n·min(m, n) of the two moving matrices (QK^T w x w, AVWo
 * w x d): the fit through the `eval` suite's small shape (6,787 sequence-steps/s, w 16 d 64
 * L2) and the anchor (528/s, w 64 d 128 L4). 1.5 s for the sessions and the SVD pool.
 */
export function evaluateSeconds(work: EvaluateWork): number {
  const svdUnits = (m: number, n: number) => m * n * Math.min(m, n);
  const perLayerHead = 62.8e-6 + 0.522e-9 * (svdUnits(work.w, work.w) + svdUnits(work.w, work.d));
  return 1.5 + work.rows * work.layerHeads * perLayerHead;
}

/**
 * Analysis: every record's permutation control (0.0229 ns per event, lookback and
 * permutation: 60,000 events x r 83 x 10,000 in 1.14 s) and BCa bootstrap (7.0 ns per event
 * and resample: 60,000 x 10,000 in 4.2 s), over the events of its rule-length group; 2 s to
 * start. An upper bound: the `analysis` suite's whole anchor-sized analysis took 17.3 min
 * where this gives ~33 min for its 212,342 events (not every record reaches the bootstrap).
 */
export function analyseSeconds(work: AnalyseWork): number {
  const eventsPerGroup = work.events / work.groups;
  const perRecordEvent = 0.0229e-9 * work.meanR * work.permutations + 7.0e-9 * work.resamples;
  return 2 + work.records * eventsPerGroup * perRecordEvent;
}

/** Rendering ten figures: 2.4-4.3 s on the dev machine whatever the config. */
export function figuresSeconds(_work: FiguresWork): number {
  return 4;
}

