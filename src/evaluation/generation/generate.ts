/**
 * Evaluation generation (method.md section 5, reference-pipeline.md section 8.1): every eval
 * walk's first token is a prompt, extended one token at a time from the last <= w tokens until
 * the sequence reaches its target length (4w, extended per sequence for late jumpers).
 *
 * Step s is the forward pass whose last context token is g[s] and which produces g[s + 1].
 * Steps s < w - 1 have short contexts and run through the next-token inference graph (with
 * lengths); from s = w - 1 on the context is a full window and the step runs through the
 * `Extractor`, whose per-layer qkt / avwo are handed to `onWindow`, so the SVD pipeline
 * sees every full-window pass without a second forward. The passes run on sessions sized to
 * the active rows, and with several lanes in worker threads (forward-passes.ts). See
 * docs/evaluation-generation.md.
 */
import { Cancelled, InputError } from '../../errors';
import type { ModelDims } from '../../model/model-dims';
import { checkWeights, type ModelWeights } from '../../model/model-weights';
import type { ExtractionRuntime } from '../extraction/extractor';
import type { JumperTable } from '../labels/jumper-table';
import { lengthPlan, nextTargetLength, type LengthPlan } from '../labels/sequence-length';
import { openForwardPasses, type ForwardPasses } from './forward-passes';
import { pickerFor, type EvaluationProtocol, type TokenPicker } from './samplers';

/** Token value of the cells beyond a sequence's length (never a vertex id). */
export const TOKEN_PADDING = -1;

/**
 * One full-window forward pass of the rows still generating at `step`. All arrays are
 * row-major in the order of `rows`, and may be reused or overwritten after the callback
 * returns: copy what you keep.
 */
export interface WindowPass {
  /** s >= w - 1: the column this pass belongs to (its last context token is g[s]). */
  readonly step: number;
  /** Sequence indices (into the prompts) of the `count` rows of this pass. */
  readonly rows: Int32Array;
  /** [count, w]: the contexts g[s - w + 1 .. s]. */
  readonly contexts: Int32Array;
  /** [count]: the token each row received from this pass, g[s + 1]. */
  readonly next: Int32Array;
  /** [count, vocab] next-token logits. */
  readonly logits: Float32Array;
  /** Per layer, [count, H, w, w] pre-softmax scaled QKᵀ (future entries 0). */
  readonly qkt: readonly Float32Array[];
  /** Per layer, [count, H, w, d] A_h · LN1(x) · WvWo_h. */
  readonly avwo: readonly Float32Array[];
}

/** Receives every full-window pass; awaited before that batch's next step runs. */
export type WindowCallback = (pass: WindowPass) => void | Promise<void>;

/** A batch of consecutive sequences `first .. first + count - 1`, generated together. */
export interface BatchRange {
  /** 0, 1, 2, … in sequence order; batches start in this order (with several lanes they may end out of it). */
  readonly index: number;
  readonly first: number;
  readonly count: number;
}

/**
 * A batch whose sequences are complete: `tokens` [count, maxLength] (row i is sequence
 * first + i, padded with -1) and `lengths` [count] are views of the final result, so they stay
 * valid after the callback (they are not reused).
 */
export interface GeneratedBatch extends BatchRange {
  readonly tokens: Int32Array;
  readonly lengths: Int32Array;
  readonly maxLength: number;
}

/** Inputs of {@link generateSequences}. */
export interface GenerationRequest {
  weights: ModelWeights;
  dims: ModelDims;
  /** One first token per sequence; sequence i starts with prompts[i]. */
  prompts: Int32Array;
  protocol: EvaluationProtocol;
  /** Sampling temperature (`sampled` only; ignored by `reference`). */
  temperature: number;
  /** Master seed of the per-sequence streams `Rng.derive(seed, 'evaluate', 'sequence', i)`. */
  seed: number;
  /** Context window; must equal `dims.context`. */
  w: number;
  /** Jumper rules of the graph, for the length extension. */
  table: JumperTable;
  /** Sequences generated together (rows of both sessions). */
  batchRows: number;
  /**
   * Batches generated at the same time, each on its own sessions (onnxruntime runs them on
   * separate threads): with single-threaded sessions, the way generation uses several cores.
   * Batches start in index order and may end out of order (a consumer that writes them in
   * order bounds what it holds by waiting in `onBatchStart`). Does not change the results.
   * @default 1
   */
  lanes?: number;
  runtime: ExtractionRuntime;
  onWindow?: WindowCallback;
  /**
   * Called before a batch's first forward pass, in batch order, and awaited: a consumer can
   * hold generation back here (backpressure). `halted` aborts when generation stops early (a
   * lane failed): a callback waiting for other batches must then stop waiting, since they may
   * never end.
   */
  onBatchStart?: (batch: BatchRange, halted: AbortSignal) => void | Promise<void>;
  /** Called once a batch's sequences are complete, after its last `onWindow`; awaited. */
  onBatchEnd?: (batch: GeneratedBatch, halted: AbortSignal) => void | Promise<void>;
  /** Checked before every step; aborting rejects with Cancelled. */
  signal?: AbortSignal;
  /**
   * Continues a run whose first `done` sequences (whole batches) are already in `into`:
   * generation starts with the next batch, fills `into` and returns it. The result equals a
   * run from the start, since every sequence draws from its own stream.
   */
  resume?: { done: number; into: GeneratedSequences };
}

/** Generated sequences: row i holds `lengths[i]` tokens, then -1 up to `maxLength`. */
export interface GeneratedSequences {
  /** [N, maxLength] row-major. */
  tokens: Int32Array;
  lengths: Int32Array;
  /** The plan's maxLength (4w + max r + 1): the width of every per-sequence array. */
  maxLength: number;
}

/**
 * Generates one sequence per prompt in batches of `batchRows` (see the module comment).
 * A sequence that reaches its target stops receiving tokens and leaves its batch's active rows;
 * the batch runs on for the others. The result is a function of (weights, prompts, protocol,
 * temperature, seed) only, not of `batchRows`, because every sequence samples from its own stream.
 *
 * Throws InputError for w != dims.context, a prompt that is not a vertex id, a jumper table of
 * another size or a bad `batchRows`; Cancelled when `signal` aborts.
 */
export async function generateSequences(request: GenerationRequest): Promise<GeneratedSequences> {
  checkRequest(request);
  const { weights, dims, prompts, batchRows, runtime } = request;
  const plan = lengthPlan(request.w, request.table);
  const out = request.resume?.into ?? emptySequences(prompts.length, plan.maxLength);
  if (prompts.length === 0) return out;
  const rows = Math.min(batchRows, prompts.length);
  const batches = Math.ceil(prompts.length / rows);
  const done = request.resume?.done ?? 0;
  checkResume(request.resume, prompts.length, rows, plan.maxLength);
  const pick = pickerFor(request.protocol, request.seed, request.temperature);
  const lanes = Math.min(request.lanes ?? 1, batches);
  // Lanes take the next batch in index order (claimed with no await in between, so batches
  // start in order); the first failure aborts `halt`, which stops the others at their next step
  // and tells a callback that waits to stop waiting.
  let next = Math.ceil(done / rows);
  let failure: { error: unknown } | null = null;
  const halt = new AbortController();
  const lane = async (): Promise<void> => {
    let passes: ForwardPasses | null = null;
    try {
      // One lane runs its passes on this thread; several run theirs in worker threads, in parallel.
      passes = openForwardPasses({ weights, dims, rows, runtime }, lanes > 1 ? 'worker' : 'local');
      const context: BatchContext = { request, plan, passes, pick, out, halted: () => failure !== null };
      while (next < batches && failure === null) {
        const index = next++;
        const range: BatchRange = { index, first: index * rows, count: Math.min(rows, prompts.length - index * rows) };
        await request.onBatchStart?.(range, halt.signal);
        if (failure !== null) return;
        if (!(await generateBatch(context, range.first, range.count))) return;
        const width = plan.maxLength;
        const tokens = out.tokens.subarray(range.first * width, (range.first + range.count) * width);
        await request.onBatchEnd?.({ ...range, tokens, lengths: out.lengths.subarray(range.first, range.first + range.count), maxLength: width }, halt.signal);
      }
    } catch (error) {
      if (failure === null) {
        failure = { error };
        halt.abort(error);
      }
    } finally {
      await passes?.release();
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return out;
}

/** N sequences of `maxLength` padding cells, no tokens yet. */
export function emptySequences(count: number, maxLength: number): GeneratedSequences {
  return { tokens: new Int32Array(count * maxLength).fill(TOKEN_PADDING), lengths: new Int32Array(count), maxLength };
}

function checkResume(resume: GenerationRequest['resume'], count: number, rows: number, maxLength: number): void {
  if (resume === undefined) return;
  const { done, into } = resume;
  if (into.maxLength !== maxLength || into.lengths.length !== count || into.tokens.length !== count * maxLength) {
    throw new InputError(`generateSequences: the sequences to continue are ${into.lengths.length} x ${into.maxLength}, this run's ${count} x ${maxLength}`);
  }
  if (!(Number.isInteger(done) && done >= 0 && done <= count && (done % rows === 0 || done === count))) {
    throw new InputError(`generateSequences: a run continues after whole batches of ${rows}, not after ${done} of ${count} sequences`);
  }
}

function checkRequest({ weights, dims, prompts, w, table, batchRows, lanes }: GenerationRequest): void {
  if (w !== dims.context) throw new InputError(`generateSequences: w = ${w} differs from the model's context ${dims.context}`);
  if (table.r.length !== dims.vocab) throw new InputError(`generateSequences: the jumper table covers ${table.r.length} vertices, the model ${dims.vocab}`);
  if (!(Number.isInteger(batchRows) && batchRows >= 1)) throw new InputError(`generateSequences: batchRows must be a positive integer, got ${batchRows}`);
  checkWeights(dims, weights);
  if (lanes !== undefined && !(Number.isInteger(lanes) && lanes >= 1)) throw new InputError(`generateSequences: lanes must be a positive integer, got ${lanes}`);
  for (let i = 0; i < prompts.length; i++) {
    if (!(prompts[i] >= 0 && prompts[i] < dims.vocab)) throw new InputError(`generateSequences: prompt ${i} = ${prompts[i]} is not a vertex id`);
  }
}

/** What every batch shares. */
interface BatchContext {
  request: GenerationRequest;
  plan: LengthPlan;
  passes: ForwardPasses;
  pick: TokenPicker;
  out: GeneratedSequences;
  /** True once another lane failed: stop at the next step. */
  halted: () => boolean;
}

/**
 * Generates sequences first .. first + count - 1. At step s every active sequence holds exactly
 * s + 1 tokens (all start together and only ever stop), so one context length serves the step.
 * Returns false when it stopped early because another lane failed.
 */
async function generateBatch(ctx: BatchContext, first: number, count: number): Promise<boolean> {
  const { request, plan, out } = ctx;
  const width = plan.maxLength;
  const targets = new Int32Array(count).fill(plan.defaultLength);
  for (let i = 0; i < count; i++) out.tokens[(first + i) * width] = request.prompts[first + i];
  for (let step = 0; step < width - 1; step++) {
    const active = activeRows(targets, step, first);
    if (active.length === 0) break;
    if (request.signal?.aborted) throw new Cancelled('evaluation generation aborted', { cause: request.signal.reason });
    if (ctx.halted()) return false;
    await runStep(ctx, step, active, targets, first);
  }
  for (let i = 0; i < count; i++) out.lengths[first + i] = targets[i];
  return true;
}

/** Sequence indices whose target is not yet reached after step - 1 (they hold step + 1 tokens). */
function activeRows(targets: Int32Array, step: number, first: number): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < targets.length; i++) if (step + 1 < targets[i]) rows.push(first + i);
  return Int32Array.from(rows);
}

/** One forward pass for the active rows, the token choice and the length rule. */
async function runStep(ctx: BatchContext, step: number, rows: Int32Array, targets: Int32Array, first: number): Promise<void> {
  const { request, plan, passes, pick, out } = ctx;
  const { w, dims } = request;
  const width = plan.maxLength;
  const used = Math.min(step + 1, w);
  const full = used === w;
  const contexts = new Int32Array(rows.length * w);
  for (let j = 0; j < rows.length; j++) {
    const start = rows[j] * width + step + 1 - used;
    contexts.set(out.tokens.subarray(start, start + used), j * w);
  }
  const extraction = full ? await passes.extract(contexts) : null;
  const logits = extraction?.logits ?? (await passes.short(contexts, rows.length, used));
  const next = new Int32Array(rows.length);
  for (let j = 0; j < rows.length; j++) {
    const sequence = rows[j];
    next[j] = pick(logits, j * dims.vocab, dims.vocab, sequence);
    out.tokens[sequence * width + step + 1] = next[j];
    targets[sequence - first] = nextTargetLength(plan, targets[sequence - first], step + 1, next[j]);
  }
  if (extraction !== null && request.onWindow !== undefined) {
    await request.onWindow({ step, rows, contexts, next, logits, qkt: extraction.qkt, avwo: extraction.avwo });
  }
}
