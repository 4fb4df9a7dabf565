/**
 * Evaluation generation (method.md section 5, reference-pipeline.md section 8.1): every eval
 * walk's first token is a prompt, extended one token at a time from the last <= w tokens until
 * the sequence reaches its target length (4w, extended per sequence for late jumpers).
 *
 * Step s is the forward pass whose last context token is g[s] and which produces g[s + 1].
 * Steps s < w - 1 have short contexts and run through the next-token inference graph (with
 * lengths); from s = w - 1 on the context is a full window and the step runs through the
 * {@link Extractor}, whose per-layer qkt / avwo are handed to `onWindow`, so the SVD pipeline
 * sees every full-window pass without a second forward. See docs/evaluation-generation.md.
 */
import * as ort from 'onnxruntime-node';
import { Cancelled, InputError } from '../../errors';
import { buildInferenceGraph } from '../../model/inference-graph';
import { INFERENCE_IO } from '../../model/graph-names';
import type { ModelDims } from '../../model/model-dims';
import { checkWeights, type ModelWeights } from '../../model/model-weights';
import { createSession } from '../../onnx/session';
import { Extractor, type ExtractionRuntime } from '../extraction/extractor';
import type { JumperTable } from '../labels/jumper-table';
import { lengthPlan, nextTargetLength, type LengthPlan } from '../labels/sequence-length';
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

/** Receives every full-window pass; awaited before the next step runs. */
export type WindowCallback = (pass: WindowPass) => void | Promise<void>;

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
  runtime: ExtractionRuntime;
  onWindow?: WindowCallback;
  /** Checked before every step; aborting rejects with Cancelled. */
  signal?: AbortSignal;
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
  const out: GeneratedSequences = {
    tokens: new Int32Array(prompts.length * plan.maxLength).fill(TOKEN_PADDING),
    lengths: new Int32Array(prompts.length),
    maxLength: plan.maxLength,
  };
  if (prompts.length === 0) return out;
  const rows = Math.min(batchRows, prompts.length);
  const passes = await openPasses(weights, dims, rows, runtime);
  try {
    const context: BatchContext = { request, plan, passes, pick: pickerFor(request.protocol, request.seed, request.temperature), out };
    for (let first = 0; first < prompts.length; first += rows) {
      await generateBatch(context, first, Math.min(rows, prompts.length - first));
    }
  } finally {
    await passes.release();
  }
  return out;
}

function checkRequest({ dims, prompts, w, table, batchRows }: GenerationRequest): void {
  if (w !== dims.context) throw new InputError(`generateSequences: w = ${w} differs from the model's context ${dims.context}`);
  if (table.r.length !== dims.vocab) throw new InputError(`generateSequences: the jumper table covers ${table.r.length} vertices, the model ${dims.vocab}`);
  if (!(Number.isInteger(batchRows) && batchRows >= 1)) throw new InputError(`generateSequences: batchRows must be a positive integer, got ${batchRows}`);
  for (let i = 0; i < prompts.length; i++) {
    if (!(prompts[i] >= 0 && prompts[i] < dims.vocab)) throw new InputError(`generateSequences: prompt ${i} = ${prompts[i]} is not a vertex id`);
  }
}

/** The two forward passes: short contexts (inference graph) and full windows (extractor). */
interface Passes {
  /** The static batch of both sessions. */
  rows: number;
  /** Logits [count, vocab] for `count` left-aligned contexts of the given lengths, padded to w. */
  short(contexts: Int32Array, lengths: Int32Array, count: number): Promise<Float32Array>;
  extractor: Extractor;
  release(): Promise<void>;
}

async function openPasses(weights: ModelWeights, dims: ModelDims, rows: number, runtime: ExtractionRuntime): Promise<Passes> {
  checkWeights(dims, weights);
  const { session } = await createSession(buildInferenceGraph(dims, rows, weights).toBytes(), runtime);
  let extractor: Extractor;
  try {
    extractor = await Extractor.create(weights, dims, rows, runtime);
  } catch (error) {
    await session.release();
    throw error;
  }
  const short = async (contexts: Int32Array, lengths: Int32Array, count: number): Promise<Float32Array> => {
    const feeds = {
      [INFERENCE_IO.tokens]: new ort.Tensor('int32', contexts, [rows, dims.context]),
      [INFERENCE_IO.lengths]: new ort.Tensor('int32', lengths, [rows]),
    };
    const logits = (await session.run(feeds))[INFERENCE_IO.logits].data as Float32Array;
    return logits.subarray(0, count * dims.vocab);
  };
  return {
    rows,
    short,
    extractor,
    release: async () => {
      await Promise.all([session.release(), extractor.release()]);
    },
  };
}

/** What every batch shares. */
interface BatchContext {
  request: GenerationRequest;
  plan: LengthPlan;
  passes: Passes;
  pick: TokenPicker;
  out: GeneratedSequences;
}

/**
 * Generates sequences first .. first + count - 1. At step s every active sequence holds exactly
 * s + 1 tokens (all start together and only ever stop), so one context length serves the step.
 */
async function generateBatch(ctx: BatchContext, first: number, count: number): Promise<void> {
  const { request, plan, out } = ctx;
  const width = plan.maxLength;
  const targets = new Int32Array(count).fill(plan.defaultLength);
  for (let i = 0; i < count; i++) out.tokens[(first + i) * width] = request.prompts[first + i];
  for (let step = 0; step < width - 1; step++) {
    const active = activeRows(targets, step, first);
    if (active.length === 0) break;
    if (request.signal?.aborted) throw new Cancelled('evaluation generation aborted', { cause: request.signal.reason });
    await runStep(ctx, step, active, targets, first);
  }
  for (let i = 0; i < count; i++) out.lengths[first + i] = targets[i];
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
  // The inference graph has a static batch, so short contexts fill all its rows (padding rows
  // keep token 0 and length 1); the extractor pads a short batch itself.
  const contexts = new Int32Array((full ? rows.length : passes.rows) * w);
  for (let j = 0; j < rows.length; j++) {
    const start = rows[j] * width + step + 1 - used;
    contexts.set(out.tokens.subarray(start, start + used), j * w);
  }
  const extraction = full ? await passes.extractor.run(contexts) : null;
  const logits = extraction?.logits ?? (await passes.short(contexts, shortLengths(passes.rows, rows.length, used), rows.length));
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

/** Lengths of the inference batch: `used` for the real rows, 1 for the padding rows. */
function shortLengths(batch: number, count: number, used: number): Int32Array {
  const lengths = new Int32Array(batch).fill(1);
  lengths.fill(used, 0, count);
  return lengths;
}
