/**
 * The runtime part of a cache key: the execution identity that changes a stage's bytes
 * (architecture.md "Cache key"). Stages that do not run model math have none. For the others it
 * is the execution provider class actually used on this host and the float precision; thread
 * counts are recorded in the summaries but not keyed (method.md section 2: results agree within
 * a stated tolerance across thread counts).
 */
import type { ExperimentConfig } from '../config/schema';
import type { StageDeclaration } from './dag';

/** The runtime identity of `stage` under `config` on this host ({} for pure CPU data stages). */
export async function runtimeIdentity(stage: StageDeclaration, config: ExperimentConfig): Promise<Record<string, string>> {
  if (!stage.usesExecutionProvider) return {};
  // Imported lazily: planning the data stages must not load onnxruntime.
  const { probeExecutionProvider } = await import('../onnx/provider-probe');
  const identity = await probeExecutionProvider(config.runtime.device);
  return { provider: identity.provider, precision: 'float32' };
}
