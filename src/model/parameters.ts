/**
 * The transformer's parameters: names, shapes, the reference initialisation and the count.
 * Linear weights are stored PyTorch-style as [out, in] (graphs use Gemm with transB), so
 * exported tensors read like a PyTorch state dict.
 */
import { Rng } from '../random/rng';
import type { ModelDims } from './model-dims';

/** One parameter tensor. */
export interface ParameterSpec {
  name: string;
  shape: readonly number[];
  /** Normal(0, std) when std > 0; otherwise the constant `fill`. */
  std: number;
  fill: number;
}

/** Standard deviation of every Linear weight and embedding table. */
export const INIT_STD = 0.02;

/** Parameter specs in a fixed order (this order is the graph input order). */
export function parameterSpecs(dims: ModelDims): ParameterSpec[] {
  const { vocab, context, dModel: d, layers } = dims;
  // Wo and the second MLP linear are re-drawn with a depth-scaled std (GPT-2 style).
  const residualStd = INIT_STD / Math.sqrt(2 * layers);
  const normal = (name: string, shape: number[], std = INIT_STD): ParameterSpec => ({ name, shape, std, fill: 0 });
  const constant = (name: string, shape: number[], fill: number): ParameterSpec => ({ name, shape, std: 0, fill });
  const specs = [normal('token_embedding.weight', [vocab, d]), normal('position_embedding.weight', [context, d])];
  for (let l = 0; l < layers; l++) {
    const p = `blocks.${l}.`;
    specs.push(
      constant(`${p}ln1.weight`, [d], 1),
      constant(`${p}ln1.bias`, [d], 0),
      normal(`${p}attn.q.weight`, [d, d]),
      normal(`${p}attn.k.weight`, [d, d]),
      normal(`${p}attn.v.weight`, [d, d]),
      normal(`${p}attn.o.weight`, [d, d], residualStd),
      constant(`${p}ln2.weight`, [d], 1),
      constant(`${p}ln2.bias`, [d], 0),
      normal(`${p}mlp.fc1.weight`, [4 * d, d]),
      constant(`${p}mlp.fc1.bias`, [4 * d], 0),
      normal(`${p}mlp.fc2.weight`, [d, 4 * d], residualStd),
      constant(`${p}mlp.fc2.bias`, [d], 0),
    );
  }
  specs.push(constant('ln_f.weight', [d], 1), constant('ln_f.bias', [d], 0), normal('head.weight', [vocab, d]));
  return specs;
}

/**
 * Closed-form parameter count: n·d + w·d + L·(12d² + 9d) + 2d + d·n
 * (reference-pipeline.md section 6; 927,488 for the anchor n=500, w=64, d=128, L=4).
 */
export function parameterCount(dims: ModelDims): number {
  const { vocab: n, context: w, dModel: d, layers: L } = dims;
  return n * d + w * d + L * (12 * d * d + 9 * d) + 2 * d + d * n;
}

/**
 * Freshly initialised parameters. Each tensor draws from its own stream
 * `Rng.derive(seed, 'model-init', name)`, so values do not depend on tensor order.
 */
export function initialParameters(dims: ModelDims, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(dims)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.std > 0) {
      const rng = Rng.derive(seed, 'model-init', spec.name);
      for (let i = 0; i < size; i++) data[i] = spec.std * rng.normal();
    } else {
      data.fill(spec.fill);
    }
    out.set(spec.name, data);
  }
  return out;
}
