/**
 * Worker startup checks, each failing with a message that says what to fix: the artifact
 * store is writable, and on GPU queues onnxruntime-node loads and offers CUDA.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError } from '../errors';

/** Writes and removes a probe file in the store root. */
export async function checkStoreWritable(storeRoot: string): Promise<void> {
  const probe = join(storeRoot, `.probe-${randomUUID()}`);
  try {
    await writeFile(probe, 'probe');
    await rm(probe, { force: true });
  } catch (error) {
    throw new ResourceError(
      `the artifact store at ${storeRoot} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set DCSBM_STORE to a writable path shared by every worker`,
      { cause: error },
    );
  }
}

/** Result of the execution-provider check. */
export interface ProviderCheck {
  /** Backends onnxruntime-node reports (e.g. cpu, cuda). */
  backends: string[];
  /** Non-fatal remarks to print. */
  warnings: string[];
}

/** Loads onnxruntime-node; on a GPU queue, warns when CUDA is not among its backends. */
export async function checkExecutionProvider(gpu: boolean, load: () => Promise<unknown> = () => import('onnxruntime-node')): Promise<ProviderCheck> {
  let ort: { listSupportedBackends?: () => { name: string }[] };
  try {
    ort = (await load()) as typeof ort;
  } catch (error) {
    throw new ResourceError(
      `onnxruntime-node failed to load (${(error as Error).message.split('\n')[0]}). Reinstall its binary: node node_modules/onnxruntime-node/script/install` +
        (gpu ? ' (GPU hosts: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install)' : ''),
      { cause: error },
    );
  }
  const backends = (ort.listSupportedBackends?.() ?? []).map((backend) => backend.name);
  const warnings =
    gpu && !backends.includes('cuda')
      ? [`onnxruntime-node offers ${backends.join(', ') || 'no listed backends'} but not cuda: GPU stages will run on the CPU provider. Install the CUDA build: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install`]
      : [];
  return { backends, warnings };
}
