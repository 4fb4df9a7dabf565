/**
 * The permutation (shuffle) control, exactly and fast (method.md section 6).
 *
 * Relabelling events moves no rank, so under permutation p the AUROC at lookback j needs only
 * the sum of the precomputed doubled mid-ranks over the events labelled violation, and how many
 * of them are valid at j: integer subset sums. A batch of permutations is then one integer
 * matrix product, [batch × events] 0/1 labels times [events × columns] rank digits and
 * validity (rank-weights.ts, subset-sums.ts), and every null AUROC is exact.
 *
 * When violations outnumber controls, the subsets drawn are the controls (the smaller class,
 * uniformly random all the same) and the violations' sums are the totals minus theirs.
 */
import { Cancelled } from '../../errors';
import type { StreamSegment } from '../../random/rng';
import { MIN_AUROC_CLASS_SIZE } from '../stats/auroc';
import { mean, percentile } from '../stats/percentile';
import { aurocOfRankSum, compareFractions, exactAurocOfRankSum, type ExactAuroc } from './exact-auroc';
import { rankTable, type RankTable } from './rank-table';
import { rankSumOf, rankWeights, validCountOf, weightLayout, type WeightLayout } from './rank-weights';
import { SubsetSampler, permutationStream } from './subsets';
import { SubsetSums } from './subset-sums';
import { DEFAULT_PERMUTATIONS, type PermutationControlInput, type PermutationControlResult } from './types';

/** Subset bytes per onnxruntime run that the default batch size aims at. */
const BATCH_BYTES = 2 ** 25;

/** Runs the control; see the module comment and {@link PermutationControlInput}. */
export async function permutationControl(input: PermutationControlInput): Promise<PermutationControlResult> {
  const settings = validate(input);
  const table = rankTable(input.values, settings.nEvents);
  const observed = observedStatistic(table, input.isViolation);
  const nullMax = new Float64Array(settings.nPermutations).fill(Number.NaN);
  const atLeastObserved = await permutedMaxima(input, settings, table, observed, nullMax);
  return {
    observed: observed?.value ?? Number.NaN,
    nullMax,
    pValue: observed === null ? Number.NaN : (1 + atLeastObserved) / (1 + settings.nPermutations),
    nullMean: mean(nullMax),
    nullP95: percentile(nullMax, 95),
    nFinite: nullMax.reduce((n, x) => n + (Number.isFinite(x) ? 1 : 0), 0),
  };
}

/**
 * Writes every permutation's statistic into `nullMax` (left NaN where no AUROC can be finite)
 * and returns how many reach the observed one.
 */
async function permutedMaxima(input: PermutationControlInput, settings: Settings, table: RankTable, observed: ExactAuroc | null, nullMax: Float64Array): Promise<number> {
  const { nEvents, nPermutations } = settings;
  const nViolations = input.isViolation.reduce((sum, label) => sum + label, 0);
  const drawn = Math.min(nViolations, nEvents - nViolations);
  // With fewer than 2 of a class every AUROC is NaN whatever the labels.
  if (drawn < MIN_AUROC_CLASS_SIZE || table.lookbacks === 0 || nPermutations === 0) return 0;
  const layout = weightLayout(table);
  const batch = Math.min(settings.batchSize, nPermutations);
  const kernel = await SubsetSums.create({ nEvents, columns: layout.columns, batch }, rankWeights(table, layout), settings.threads);
  try {
    const statistic = new PermutedStatistic(table, layout, drawn === nViolations, observed);
    const sampler = new SubsetSampler(nEvents);
    const subsets = new Uint8Array(batch * nEvents);
    for (let first = 0; first < nPermutations; first += batch) {
      await nextBatchTurn(input.signal);
      const count = Math.min(batch, nPermutations - first);
      for (let i = 0; i < count; i++) {
        const stream = permutationStream(input.seed, settings.stream, first + i);
        sampler.draw(stream.state(), drawn, subsets.subarray(i * nEvents, (i + 1) * nEvents));
      }
      subsets.fill(0, count * nEvents); // a partial last batch: zero rows, ignored
      const sums = await kernel.run(subsets);
      for (let i = 0; i < count; i++) nullMax[first + i] = statistic.evaluate(sums, i * layout.columns);
    }
    return statistic.atLeastObserved;
  } finally {
    await kernel.release();
  }
}

interface Settings {
  nEvents: number;
  nPermutations: number;
  stream: readonly StreamSegment[];
  threads: number;
  batchSize: number;
}

/** Checks the input once, naming the field at fault; fills the defaults. */
function validate(input: PermutationControlInput): Settings {
  const nEvents = input.isViolation.length;
  input.values.forEach((column, j) => {
    if (column.length !== nEvents) throw new RangeError(`permutationControl: values[${j}] has ${column.length} events, isViolation has ${nEvents}`);
  });
  input.isViolation.forEach((label, e) => {
    if (label > 1) throw new RangeError(`permutationControl: isViolation[${e}] must be 0 or 1, got ${label}`);
  });
  const nPermutations = input.nPermutations ?? DEFAULT_PERMUTATIONS;
  if (!(Number.isInteger(nPermutations) && nPermutations >= 0)) throw new RangeError(`permutationControl: nPermutations must be a non-negative integer, got ${nPermutations}`);
  if (!Number.isFinite(input.seed)) throw new RangeError(`permutationControl: seed must be a finite number, got ${input.seed}`);
  const threads = input.threads ?? 1;
  if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`permutationControl: threads must be a positive integer, got ${threads}`);
  const batchSize = input.batchSize ?? Math.min(2048, Math.max(16, Math.floor(BATCH_BYTES / Math.max(nEvents, 1))));
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`permutationControl: batchSize must be a positive integer, got ${batchSize}`);
  return { nEvents, nPermutations, stream: input.stream ?? ['permutation'], threads, batchSize };
}

/** The statistic under the observed labels, as an exact fraction; null when no AUROC is finite. */
function observedStatistic(table: RankTable, isViolation: Uint8Array): ExactAuroc | null {
  const { nEvents, rank2, nValid } = table;
  let best: ExactAuroc | null = null;
  for (let j = 0; j < table.lookbacks; j++) {
    const ranks = rank2.subarray(j * nEvents, (j + 1) * nEvents);
    let sum = 0;
    let nv = 0;
    for (let e = 0; e < nEvents; e++) {
      const label = isViolation[e];
      sum += label * ranks[e];
      nv += label & (ranks[e] > 0 ? 1 : 0);
    }
    const auroc = exactAurocOfRankSum(sum, nv, nValid[j] - nv);
    if (auroc !== null && (best === null || compareFractions(auroc.numerator, auroc.denominator, best.numerator, best.denominator) > 0)) best = auroc;
  }
  return best;
}

/**
 * The statistic of each permutation from its row of subset sums, counting those that reach the
 * observed statistic (decided on the fractions; see exact-auroc.ts).
 */
class PermutedStatistic {
  /** Permutations evaluated so far with some AUROC ≥ the observed statistic. */
  atLeastObserved = 0;
  readonly #table: RankTable;
  readonly #layout: WeightLayout;
  readonly #drawnAreViolations: boolean;
  readonly #observed: ExactAuroc | null;

  constructor(table: RankTable, layout: WeightLayout, drawnAreViolations: boolean, observed: ExactAuroc | null) {
    this.#table = table;
    this.#layout = layout;
    this.#drawnAreViolations = drawnAreViolations;
    this.#observed = observed;
  }

  /** The maximum finite AUROC over lookbacks of the row at `offset` of `sums`; NaN when none. */
  evaluate(sums: Int32Array, offset: number): number {
    const observed = this.#observed;
    let best = Number.NaN;
    let atLeast = false;
    for (let j = 0; j < this.#layout.lookbacks; j++) {
      const valid = this.#table.nValid[j];
      const drawnSum = rankSumOf(sums, offset, this.#layout, j);
      const drawnValid = validCountOf(sums, offset, this.#layout, j);
      // All valid events' doubled mid-ranks add up to valid·(valid + 1).
      const rankSum = this.#drawnAreViolations ? drawnSum : valid * (valid + 1) - drawnSum;
      const nv = this.#drawnAreViolations ? drawnValid : valid - drawnValid;
      const value = aurocOfRankSum(rankSum, nv, valid - nv);
      if (Number.isNaN(value)) continue;
      if (!(value <= best)) best = value;
      if (!atLeast && observed !== null && value >= observed.value) {
        const exact = exactAurocOfRankSum(rankSum, nv, valid - nv) as ExactAuroc;
        atLeast = value > observed.value || compareFractions(exact.numerator, exact.denominator, observed.numerator, observed.denominator) >= 0;
      }
    }
    if (atLeast) this.atLeastObserved++;
    return best;
  }
}

/** Lets other work run between batches, and stops when `signal` is aborted. */
async function nextBatchTurn(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new Cancelled('permutation control: aborted', { cause: signal.reason });
}
