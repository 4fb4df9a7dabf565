/**
 * Directed degree-corrected stochastic block model (reference-pipeline.md section 3):
 * theta per block, edge probabilities, row-major Bernoulli sampling, CSR, validation, and
 * up to ten attempts, each on its own random stream `Rng.derive(seed, 'graph', attempt)`.
 */
import type { GraphConfig } from '../config/schema';
import { InputError } from '../errors';
import { Rng } from '../random/rng';
import { stronglyConnectedComponents } from './connectivity';
import { csrFromEdges, type Csr } from './csr';
import type { DcsbmGraph } from './graph';

/** Attempts before generation gives up (reference: 10). */
export const MAX_GRAPH_ATTEMPTS = 10;
/** Smallest allowed expected out-degree of any vertex (reference: 3). */
export const MIN_EXPECTED_OUT_DEGREE = 3;
/** Block-pair densities must lie within this many binomial standard deviations (reference: 2). */
export const DENSITY_SIGMAS = 2;

/** What one generation attempt produced: its edge count and every validation problem (empty = accepted). */
export interface AttemptReport {
  attempt: number;
  edges: number;
  problems: string[];
}

/** The DCSBM parameters the sampling and validation functions share. */
export interface DcsbmModel {
  n: number;
  K: number;
  blockSize: number;
  block: Int32Array;
  theta: Float64Array;
  pIn: number;
  pOut: number;
}

/**
 * Generates a validated directed DCSBM graph. Attempt a (0-based, at most
 * {@link MAX_GRAPH_ATTEMPTS}) draws theta and edges from `Rng.derive(seed, 'graph', a)`; the
 * first attempt without validation problems is returned with the reports of all attempts.
 * Throws InputError naming the config values and the last attempt's problems when every
 * attempt fails, or when K does not divide n.
 */
export function generateGraph(graph: GraphConfig, seed: number): { graph: DcsbmGraph; attempts: AttemptReport[] } {
  const { n, K } = graph;
  if (!(K >= 1 && n >= K && n % K === 0)) {
    throw new InputError(`graph: graph.K=${K} must divide graph.n=${n} into non-empty blocks`);
  }
  const attempts: AttemptReport[] = [];
  for (let attempt = 0; attempt < MAX_GRAPH_ATTEMPTS; attempt++) {
    const rng = Rng.derive(seed, 'graph', attempt);
    const model = buildModel(graph, rng);
    const csr = sampleEdges(model, rng);
    const problems = validateGraph(model, csr);
    attempts.push({ attempt, edges: csr.colIdx.length, problems });
    if (problems.length === 0) {
      const { blockSize, block, theta } = model;
      return { graph: { n, K, blockSize, block, theta, rowPtr: csr.rowPtr, colIdx: csr.colIdx, attempt }, attempts };
    }
  }
  const last = attempts[attempts.length - 1];
  throw new InputError(
    `graph: no valid DCSBM graph in ${MAX_GRAPH_ATTEMPTS} attempts for graph.n=${n}, graph.K=${K}, ` +
      `graph.p_in=${graph.p_in}, graph.p_out=${graph.p_out} (seed ${seed}); last attempt's problems:\n  ` +
      last.problems.join('\n  '),
  );
}

function buildModel(graph: GraphConfig, rng: Rng): DcsbmModel {
  const { n, K } = graph;
  const blockSize = n / K;
  return {
    n,
    K,
    blockSize,
    block: blockAssignment(n, K),
    theta: degreeCorrection(n, K, rng),
    pIn: graph.p_in,
    pOut: graph.p_out,
  };
}

/** Contiguous blocks: vertex v belongs to block floor(v / (n / K)). */
export function blockAssignment(n: number, K: number): Int32Array {
  const blockSize = n / K;
  const block = new Int32Array(n);
  for (let v = 0; v < n; v++) block[v] = Math.floor(v / blockSize);
  return block;
}

/**
 * Degree-correction weights: for each block in order, the weights 1/rank (alpha = 1) for ranks
 * 1..blockSize, shuffled with `rng`, scaled so the block's values sum to blockSize.
 */
export function degreeCorrection(n: number, K: number, rng: Rng): Float64Array {
  const blockSize = n / K;
  const theta = new Float64Array(n);
  let harmonic = 0;
  for (let rank = 1; rank <= blockSize; rank++) harmonic += 1 / rank;
  for (let b = 0; b < K; b++) {
    const weights = new Float64Array(blockSize);
    for (let i = 0; i < blockSize; i++) weights[i] = 1 / (i + 1);
    rng.shuffle(weights);
    for (let i = 0; i < blockSize; i++) theta[b * blockSize + i] = (weights[i] * blockSize) / harmonic;
  }
  return theta;
}

/**
 * Row i of the probability matrix: P[i][j] = theta_i theta_j omega(b_i, b_j) clipped to [0, 1],
 * omega = p_in within a block and p_out across blocks, P[i][i] = 0. Written into `out` (length n),
 * so no n x n matrix is ever held.
 */
export function probabilityRow(model: DcsbmModel, i: number, out: Float64Array): Float64Array {
  const { n, block, theta, pIn, pOut } = model;
  const bi = block[i];
  const ti = theta[i];
  for (let j = 0; j < n; j++) {
    const p = ti * theta[j] * (block[j] === bi ? pIn : pOut);
    out[j] = p > 1 ? 1 : p < 0 ? 0 : p;
  }
  out[i] = 0;
  return out;
}

/**
 * Samples edges by comparing one uniform per ordered pair with P, row-major (n * n uniforms,
 * the diagonal's included, as in the reference), and returns the graph in CSR form.
 */
export function sampleEdges(model: DcsbmModel, rng: Rng): Csr {
  const { n } = model;
  const row = new Float64Array(n);
  const sources: number[] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    probabilityRow(model, i, row);
    for (let j = 0; j < n; j++) {
      if (rng.float() < row[j]) {
        sources.push(i);
        targets.push(j);
      }
    }
  }
  return csrFromEdges(n, sources, targets);
}

/** Expected out-degree of every vertex and expected edge count of every ordered block pair (index a*K+b). */
export function expectedEdgeSums(model: DcsbmModel): { rowSums: Float64Array; pairSums: Float64Array } {
  const { n, K, block } = model;
  const row = new Float64Array(n);
  const rowSums = new Float64Array(n);
  const pairSums = new Float64Array(K * K);
  for (let i = 0; i < n; i++) {
    probabilityRow(model, i, row);
    const base = block[i] * K;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      sum += row[j];
      pairSums[base + block[j]] += row[j];
    }
    rowSums[i] = sum;
  }
  return { rowSums, pairSums };
}

/**
 * Every validation problem of a sampled graph (empty = valid): self loops, more than one
 * strongly connected component, a minimum expected out-degree below
 * {@link MIN_EXPECTED_OUT_DEGREE}, and block-pair densities outside {@link DENSITY_SIGMAS} sigma.
 */
export function validateGraph(model: DcsbmModel, csr: Csr): string[] {
  const { rowSums, pairSums } = expectedEdgeSums(model);
  return [
    ...selfLoopProblems(model.n, csr),
    ...connectivityProblems(model.n, csr),
    ...expectedDegreeProblems(rowSums),
    ...blockDensityProblems(model, csr, pairSums),
  ];
}

function selfLoopProblems(n: number, csr: Csr): string[] {
  let loops = 0;
  for (let v = 0; v < n; v++) {
    for (let e = csr.rowPtr[v]; e < csr.rowPtr[v + 1]; e++) if (csr.colIdx[e] === v) loops++;
  }
  return loops === 0 ? [] : [`${loops} self loop(s)`];
}

function connectivityProblems(n: number, csr: Csr): string[] {
  const { count } = stronglyConnectedComponents(n, csr.rowPtr, csr.colIdx);
  return count === 1 ? [] : [`not strongly connected: ${count} strongly connected components`];
}

function expectedDegreeProblems(rowSums: Float64Array): string[] {
  let argMin = 0;
  for (let v = 1; v < rowSums.length; v++) if (rowSums[v] < rowSums[argMin]) argMin = v;
  const min = rowSums[argMin];
  return min >= MIN_EXPECTED_OUT_DEGREE
    ? []
    : [`minimum expected out-degree ${min.toFixed(3)} (vertex ${argMin}) is below ${MIN_EXPECTED_OUT_DEGREE}`];
}

/** Observed edge count of every ordered block pair (index a*K+b). */
export function blockPairEdgeCounts(block: Int32Array, K: number, csr: Csr): Float64Array {
  const counts = new Float64Array(K * K);
  for (let v = 0; v < block.length; v++) {
    const base = block[v] * K;
    for (let e = csr.rowPtr[v]; e < csr.rowPtr[v + 1]; e++) counts[base + block[csr.colIdx[e]]]++;
  }
  return counts;
}

function blockDensityProblems(model: DcsbmModel, csr: Csr, pairSums: Float64Array): string[] {
  const { K, blockSize, block } = model;
  const counts = blockPairEdgeCounts(block, K, csr);
  const problems: string[] = [];
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      // The diagonal excludes self pairs, as P does.
      const pairs = a === b ? blockSize * (blockSize - 1) : blockSize * blockSize;
      if (pairs === 0) continue;
      const expected = pairSums[a * K + b] / pairs;
      const observed = counts[a * K + b] / pairs;
      const sigma = Math.sqrt((expected * (1 - expected)) / pairs);
      if (Math.abs(observed - expected) > DENSITY_SIGMAS * sigma) {
        problems.push(
          `block pair ${a}->${b}: observed density ${observed.toFixed(5)} outside expected ` +
            `${expected.toFixed(5)} +/- ${DENSITY_SIGMAS} sigma (sigma ${sigma.toFixed(5)})`,
        );
      }
    }
  }
  return problems;
}
