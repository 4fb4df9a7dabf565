/**
 * The sufficiency gate (method.md section 4): greedy continuations of up to 1000 held-out eval
 * walks with distinct first tokens, generated to walk_length; passes iff edge compliance
 * > 0.95 and rule compliance > 0.80 (both strict).
 */
import type { IntMatrix } from '../artifacts/parquet';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import { edgeCompliance, ruleCompliance, type RuleCompliance } from './compliance';
import { generate, greedyPicker } from './generation';
import type { TrainerBackend, TrainerShape } from './trainer-backend';

/** The gate's thresholds; a value must exceed them strictly. */
export const GATE_THRESHOLDS = { edge: 0.95, rule: 0.8 } as const;

/** At most this many prompts (the reference's gate set size). */
export const GATE_MAX_PROMPTS = 1000;

/** One gate evaluation. */
export interface GateResult {
  /** Optimizer steps taken when it was evaluated. */
  step: number;
  /** Valid consecutive pairs / all pairs (1.0 when sequences have a single token). */
  edgeCompliance: number;
  /** Rule compliance overall (1.0 with no checks). */
  ruleCompliance: number;
  /** Overall, per r and r <= w versus r > w, with check counts. */
  rules: RuleCompliance;
  /** Consecutive pairs checked. */
  edgePairs: number;
  prompts: number;
  passed: boolean;
}

/**
 * The gate prompts: the first tokens of the first eval walks (in walk order) whose first
 * token has not been seen yet, up to `limit`. The reference used the first 1000 walks, which
 * all started at the 8 jumpers, so its gate saw 8 distinct sequences (section 7.4 QUIRK).
 */
export function gatePrompts(evalWalks: IntMatrix, limit = GATE_MAX_PROMPTS): Int32Array {
  const seen = new Set<number>();
  const prompts: number[] = [];
  for (let row = 0; row < evalWalks.rows && prompts.length < limit; row++) {
    const token = evalWalks.values[row * evalWalks.width];
    if (seen.has(token)) continue;
    seen.add(token);
    prompts.push(token);
  }
  return Int32Array.from(prompts);
}

/** True iff both compliances exceed their thresholds. */
export function gatePasses(edge: number, rule: number): boolean {
  return edge > GATE_THRESHOLDS.edge && rule > GATE_THRESHOLDS.rule;
}

/** What a gate evaluation needs besides the backend. */
export interface GateInputs {
  prompts: Int32Array;
  /** Generated length, prompt included (training.walk_length). */
  length: number;
  graph: DcsbmGraph;
  jumpers: readonly Jumper[];
  signal?: AbortSignal;
}

/** Generates the greedy continuations of the gate prompts and scores them. */
export async function evaluateGate(
  backend: Pick<TrainerBackend, 'nextLogits'>,
  shape: Pick<TrainerShape, 'vocab' | 'context' | 'generationBatch'>,
  inputs: GateInputs,
  step: number,
): Promise<GateResult> {
  const sequences = await generate(backend, shape, inputs.prompts, { length: inputs.length, pick: greedyPicker, signal: inputs.signal });
  return scoreGate(sequences, inputs.graph, inputs.jumpers, shape.context, step);
}

/** Scores generated sequences against the gate (pure). */
export function scoreGate(sequences: IntMatrix, graph: DcsbmGraph, jumpers: readonly Jumper[], w: number, step: number): GateResult {
  const edges = edgeCompliance(sequences, graph);
  const rules = ruleCompliance(sequences, graph, jumpers, w);
  const edge = edges.compliance ?? 1;
  const rule = rules.overall.compliance;
  return {
    step,
    edgeCompliance: edge,
    ruleCompliance: rule,
    rules,
    edgePairs: edges.checks,
    prompts: sequences.rows,
    passed: gatePasses(edge, rule),
  };
}
