/**
 * Cross-field validation rules of the configuration (method.md section 1): the reference's
 * rules plus the obvious ones. Each problem names the field path, the value and the rule.
 */
import type { ExperimentConfig } from './schema';
import { jumperRValues } from './jumper-r';

export interface RuleReport {
  errors: string[];
  warnings: string[];
}

/** Checks every cross-field rule and returns all problems at once. */
export function checkRules(config: ExperimentConfig): RuleReport {
  const { graph, model, training } = config;
  const errors: string[] = [];
  const warnings: string[] = [];
  const fail = (path: string, value: unknown, rule: string) => errors.push(`${path}: ${JSON.stringify(value)} — ${rule}`);

  if (training.walk_length < 2 * training.w) {
    fail('training.walk_length', training.walk_length, `must be at least 2 * training.w = ${2 * training.w}`);
  }
  if (training.corpus_size < 100 * graph.n) {
    fail('training.corpus_size', training.corpus_size, `must be at least 100 * graph.n = ${100 * graph.n}`);
  }
  if (graph.K > graph.n) {
    fail('graph.K', graph.K, `must not exceed graph.n = ${graph.n}`);
  } else if (graph.n % graph.K !== 0) {
    fail('graph.n', graph.n, `must be divisible by graph.K = ${graph.K} (blocks have equal size)`);
  }
  const blockSize = Math.floor(graph.n / graph.K);
  if (graph.n_jumpers_per_block > blockSize) {
    fail('graph.n_jumpers_per_block', graph.n_jumpers_per_block, `must not exceed the block size graph.n / graph.K = ${blockSize}`);
  }
  if (graph.K < 2 && graph.n_jumpers_per_block > 0) {
    fail('graph.K', graph.K, 'must be at least 2 when there are jumpers (a jumper targets another block)');
  }
  if (model.d_model % model.n_heads !== 0) {
    fail('model.d_model', model.d_model, `must be divisible by model.n_heads = ${model.n_heads}`);
  }
  if (training.r > training.walk_length) {
    fail('training.r', training.r, `must not exceed training.walk_length = ${training.walk_length}`);
  }
  if (graph.p_out >= graph.p_in) {
    warnings.push(`graph.p_out: ${graph.p_out} is not below graph.p_in = ${graph.p_in}; the blocks will not be assortative`);
  }
  // Jumpers take the r values round-robin, so only the first K * n_jumpers_per_block are used.
  const rValues = jumperRValues(graph.jumper_r_scales, training.w);
  const used = rValues.filter((_, i) => i < graph.K * graph.n_jumpers_per_block);
  const unreachable = used.filter((r) => r >= training.walk_length);
  if (unreachable.length > 0) {
    warnings.push(
      `graph.jumper_r_scales: rule lengths ${unreachable.join(', ')} are not below training.walk_length = ${training.walk_length}; such rules can never be checked inside a walk`,
    );
  }
  return { errors, warnings };
}
