/**
 * Trained parameter values keyed by parameter name (parameters.ts), as a PyTorch state dict:
 * the form the evaluation-side graphs and the static OV products read.
 */
import { InputError } from '../errors';
import type { TrainerState } from '../training/trainer-backend';
import { paramInput } from './graph-names';
import type { ModelDims } from './model-dims';
import { parameterSpecs } from './parameters';

/** Parameter tensors by parameter name (`blocks.0.attn.v.weight`, …), row-major, [out, in] for Linears. */
export type ModelWeights = ReadonlyMap<string, Float32Array>;

/**
 * Checks that `weights` holds every parameter of `dims` with its exact size, and nothing
 * else (an extra name means the weights belong to another model). Throws InputError.
 */
export function checkWeights(dims: ModelDims, weights: ModelWeights): void {
  const specs = parameterSpecs(dims);
  const known = new Set(specs.map((s) => s.name));
  const problems: string[] = [];
  for (const { name, shape } of specs) {
    const size = shape.reduce((a, n) => a * n, 1);
    const data = weights.get(name);
    if (data === undefined) problems.push(`missing ${name}`);
    else if (data.length !== size) problems.push(`${name} has ${data.length} values, expected ${size} for [${shape}]`);
  }
  for (const name of weights.keys()) if (!known.has(name)) problems.push(`unexpected ${name}`);
  if (problems.length > 0) throw new InputError(`model weights do not match the model dimensions: ${problems.join('; ')}`);
}

/**
 * The parameters of a saved trainer state (`param/<name>` tensors; the AdamW moments are
 * ignored), checked against `dims`. The arrays are shared, not copied.
 */
export function weightsFromState(dims: ModelDims, state: Pick<TrainerState, 'tensors'>): ModelWeights {
  const weights = new Map<string, Float32Array>();
  for (const { name } of parameterSpecs(dims)) {
    const data = state.tensors[paramInput(name)];
    if (data !== undefined) weights.set(name, data);
  }
  checkWeights(dims, weights);
  return weights;
}
