/**
 * Edge and rule compliance of generated sequences (reference-pipeline.md section 7.4,
 * method.md section 4): pure functions of (sequences, graph, jumpers, w), shared by the
 * sufficiency gate and, later, evaluation.
 */
import type { IntMatrix } from '../artifacts/parquet';
import type { DcsbmGraph, Jumper } from '../graph/graph';

/** Successes out of checks, with their ratio. */
export interface Ratio {
  checks: number;
  successes: number;
  /** successes / checks; null when there were no checks (for subgroups, where "no data" must stay visible). */
  compliance: number | null;
}

/** Rule compliance of the jumpers sharing one rule length r. */
export interface RuleComplianceByR extends Ratio {
  r: number;
  /** True when r > w: the jumper has left the context before its deadline. */
  beyondContext: boolean;
}

/** Rule compliance overall and split by r and by r relative to w. */
export interface RuleCompliance {
  /** All checks. `compliance` is 1.0 when there were none, as in the reference. */
  overall: Ratio & { compliance: number };
  /** One entry per distinct r among the jumpers, ascending (also those with no checks). */
  byR: RuleComplianceByR[];
  /** Jumpers with r <= w. */
  withinContext: Ratio;
  /** Jumpers with r > w. */
  beyondContext: Ratio;
}

/** True iff the graph has the edge u -> v (binary search in the sorted CSR row of u). */
export function hasEdge(graph: DcsbmGraph, u: number, v: number): boolean {
  let lo = graph.rowPtr[u];
  let hi = graph.rowPtr[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const target = graph.colIdx[mid];
    if (target === v) return true;
    if (target < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Edge compliance: consecutive token pairs (rows x (width - 1) in all) that are edges of the graph. */
export function edgeCompliance(sequences: IntMatrix, graph: DcsbmGraph): Ratio {
  const { values, rows, width } = sequences;
  let successes = 0;
  for (let row = 0; row < rows; row++) {
    const base = row * width;
    for (let t = 0; t + 1 < width; t++) if (hasEdge(graph, values[base + t], values[base + t + 1])) successes++;
  }
  return ratio(rows * Math.max(0, width - 1), successes);
}

/**
 * Rule compliance: for every position t whose token u is a jumper and t + r_u < width, one
 * check: is the token at t + r_u in u's target block? Every occurrence is checked, overlapping
 * ones too, whether or not the path in between follows edges (as the reference).
 */
export function ruleCompliance(sequences: IntMatrix, graph: DcsbmGraph, jumpers: readonly Jumper[], w: number): RuleCompliance {
  const byVertex = new Map(jumpers.map((jumper) => [jumper.vertex, jumper]));
  const rValues = [...new Set(jumpers.map((jumper) => jumper.r))].sort((a, b) => a - b);
  const checks = new Map(rValues.map((r) => [r, 0]));
  const successes = new Map(rValues.map((r) => [r, 0]));
  const { values, rows, width } = sequences;
  for (let row = 0; row < rows; row++) {
    const base = row * width;
    for (let t = 0; t < width; t++) {
      const jumper = byVertex.get(values[base + t]);
      if (jumper === undefined || t + jumper.r >= width) continue;
      checks.set(jumper.r, checks.get(jumper.r)! + 1);
      if (graph.block[values[base + t + jumper.r]] === jumper.targetBlock) successes.set(jumper.r, successes.get(jumper.r)! + 1);
    }
  }
  const byR = rValues.map((r) => ({ r, beyondContext: r > w, ...ratio(checks.get(r)!, successes.get(r)!) }));
  const overall = sumRatios(byR);
  return {
    overall: { ...overall, compliance: overall.compliance ?? 1 },
    byR,
    withinContext: sumRatios(byR.filter((entry) => !entry.beyondContext)),
    beyondContext: sumRatios(byR.filter((entry) => entry.beyondContext)),
  };
}

function ratio(checks: number, successes: number): Ratio {
  return { checks, successes, compliance: checks === 0 ? null : successes / checks };
}

function sumRatios(parts: readonly Ratio[]): Ratio {
  return ratio(
    parts.reduce((sum, part) => sum + part.checks, 0),
    parts.reduce((sum, part) => sum + part.successes, 0),
  );
}
