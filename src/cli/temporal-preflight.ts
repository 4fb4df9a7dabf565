/**
 * Worker startup checks, each failing with a message that says what to fix: the artifact
 * store is writable, onnxruntime-node creates sessions, and on GPU queues it offers CUDA.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError } from '../errors';
import { CUDA_INSTALL_COMMAND, REINSTALL_COMMAND } from '../onnx/install-commands';
import type { SessionIdentity } from '../onnx/session';
import { probeProvider, type ProviderProbe } from '../ops/preflight-provider';

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
  /** The provider this worker's stages run on (cpu, cuda). */
  provider: string;
}

/**
 * onnxruntime-node creates a session here (the one-node probe the cache keys use,
 * src/onnx/provider-probe.ts); a worker that polls the GPU queue must get CUDA. That one is a
 * hard error, not a warning: a "GPU" worker falling back to the CPU would take the GPU stages
 * (training for hours) from the hosts that have one. (`listSupportedBackends()` is no test: it
 * lists cuda on CPU-only hosts, where the CUDA libraries are not installed.)
 */
export async function checkExecutionProvider(gpu: boolean, probe: ProviderProbe = probeProvider): Promise<ProviderCheck> {
  let identity: SessionIdentity;
  try {
    identity = await probe(gpu ? 'cuda' : 'cpu');
  } catch (error) {
    throw new ResourceError(
      `onnxruntime-node cannot create a session on this host (${(error as Error).message.split('\n')[0]}). Reinstall its binary: ${REINSTALL_COMMAND}` +
        (gpu ? ` (GPU hosts: ${CUDA_INSTALL_COMMAND})` : ''),
      { cause: error },
    );
  }
  if (gpu && identity.provider !== 'cuda') {
    throw new ResourceError(
      `--queues gpu: this worker would take GPU stages but the CUDA execution provider cannot be loaded here (${identity.fallbackReason ?? `sessions run on ${identity.provider}`}). ` +
        `Install the CUDA build (${CUDA_INSTALL_COMMAND}, docs/operations.md "GPU hosts") or run this worker with --queues cpu`,
    );
  }
  return { provider: identity.provider };
}
