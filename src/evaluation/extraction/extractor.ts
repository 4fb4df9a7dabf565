/**
 * Runs the extraction graph (src/model/extraction-graph.ts) of a trained model: one call per
 * generation step whose contexts are full windows gives the next-token logits and the
 * per-layer `qkt` and `avwo` SVD targets; the static `wvwo` products are computed once at
 * creation (reference-pipeline.md section 8.3).
 */
import * as ort from 'onnxruntime-node';
import { InputError } from '../../errors';
import { buildExtractionGraph } from '../../model/extraction-graph';
import { EXTRACTION_IO } from '../../model/graph-names';
import type { ModelDims } from '../../model/model-dims';
import { checkWeights, type ModelWeights } from '../../model/model-weights';
import { wvwoProducts, type WvWoProducts } from '../../model/wvwo';
import { createSession, type SessionIdentity, type SessionSettings } from '../../onnx/session';

/** Where the extraction session runs (the trainer's runtime settings fit). */
export type ExtractionRuntime = Pick<SessionSettings, 'device' | 'threads'>;

/**
 * One extraction step's outputs for `count` rows, row-major float32:
 * `logits` [count, vocab] at the last position; per layer l, `qkt[l]` [count, H, w, w]
 * (future entries 0) and `avwo[l]` [count, H, w, d].
 */
export interface ExtractionOutputs {
  logits: Float32Array;
  qkt: Float32Array[];
  avwo: Float32Array[];
}

/** A session over the extraction graph of one trained model; see the module comment. */
export class Extractor {
  /** Model dimensions (w = `dims.context` is the window every context must fill). */
  readonly dims: ModelDims;
  /** Rows per run: the graph's static batch. */
  readonly rows: number;
  /** What the session runs on. */
  readonly identity: SessionIdentity;
  /** Static WvWo_h per `[layer][head]`, d × d row-major float64. */
  readonly wvwo: WvWoProducts;
  readonly #session: ort.InferenceSession;

  private constructor(dims: ModelDims, rows: number, session: ort.InferenceSession, identity: SessionIdentity, wvwo: WvWoProducts) {
    this.dims = dims;
    this.rows = rows;
    this.#session = session;
    this.identity = identity;
    this.wvwo = wvwo;
  }

  /**
   * Builds the extraction graph for `rows` windows with `weights` baked in (see
   * `weightsFromState` for a saved trainer state) and opens a session on `runtime`.
   * Throws InputError when the weights do not match `dims` or `rows` is not a positive integer.
   */
  static async create(weights: ModelWeights, dims: ModelDims, rows: number, runtime: ExtractionRuntime): Promise<Extractor> {
    if (!(Number.isInteger(rows) && rows >= 1)) throw new InputError(`extractor: rows must be a positive integer, got ${rows}`);
    checkWeights(dims, weights);
    const { session, identity } = await createSession(buildExtractionGraph(dims, rows, weights).toBytes(), runtime);
    return new Extractor(dims, rows, session, identity, wvwoProducts(dims, weights));
  }

  /**
   * Runs one step on `contexts`: `count` full windows of w tokens, row-major, where `count`
   * (= contexts.length / w) is 1 … rows. A short last batch is padded with token 0 and the
   * padding rows are dropped from the outputs. Throws InputError for a length that is not
   * a whole number of windows, too many windows, or a token outside the vocabulary.
   */
  async run(contexts: Int32Array): Promise<ExtractionOutputs> {
    const count = this.#checkContexts(contexts);
    const { context: w, layers } = this.dims;
    const tokens = new Int32Array(this.rows * w);
    tokens.set(contexts);
    const out = await this.#session.run({ [EXTRACTION_IO.tokens]: new ort.Tensor('int32', tokens, [this.rows, w]) });
    // Outputs are [rows, …]: the first count/rows of each tensor belong to the real rows.
    const used = (name: string) => {
      const data = out[name].data as Float32Array;
      return count === this.rows ? data : data.slice(0, (data.length / this.rows) * count);
    };
    const perLayer = (name: (l: number) => string) => Array.from({ length: layers }, (_, l) => used(name(l)));
    return { logits: used(EXTRACTION_IO.logits), qkt: perLayer(EXTRACTION_IO.qkt), avwo: perLayer(EXTRACTION_IO.avwo) };
  }

  /** Releases the onnxruntime session. */
  async release(): Promise<void> {
    await this.#session.release();
  }

  /** The number of windows in `contexts`, after checking length and token ids. */
  #checkContexts(contexts: Int32Array): number {
    const { context: w, vocab } = this.dims;
    const count = contexts.length / w;
    if (!(Number.isInteger(count) && count >= 1 && count <= this.rows)) {
      throw new InputError(`extractor: contexts must hold 1..${this.rows} full windows of ${w} tokens, got ${contexts.length} tokens`);
    }
    for (let i = 0; i < contexts.length; i++) {
      if (!(contexts[i] >= 0 && contexts[i] < vocab)) throw new InputError(`extractor: contexts[${i}] = ${contexts[i]} is not a token id in 0..${vocab - 1}`);
    }
    return count;
  }
}
