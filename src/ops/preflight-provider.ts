/**
 * The execution-provider check: the provider `runtime.device` asks for must load on this host.
 * Sessions fall back to the CPU when CUDA cannot load (src/onnx/session.ts), so without this
 * check a `cuda` run would train for hours on the CPU and only say so in its summary.
 *
 * The answer comes from the one-node probe session the cache keys already use
 * (src/onnx/provider-probe.ts, cached for the life of the process): planning has usually made
 * it by now, so the check costs nothing more, and it is the same code that decides where the
 * stages run. `auto` passes whatever it resolves to, with a note when that is the CPU.
 */
import { REINSTALL_COMMAND } from '../onnx/install-commands';
import type { Device, SessionIdentity } from '../onnx/session';
import type { PreflightCheck } from './preflight';

/** Where `device` resolves to on this host; throws when onnxruntime cannot create a session at all. */
export type ProviderProbe = (device: Device) => Promise<SessionIdentity>;

/** The real probe, imported lazily: a run of the data stages alone must not load onnxruntime. */
export const probeProvider: ProviderProbe = async (device) => (await import('../onnx/provider-probe')).probeExecutionProvider(device);

/**
 * Checks each requested device (the distinct `runtime.device` values of the runs whose stages
 * to compute run model math; none: nothing to check).
 */
export async function providerCheck(devices: readonly Device[], probe: ProviderProbe): Promise<PreflightCheck> {
  const name = 'execution provider';
  if (devices.length === 0) return { name, outcome: 'ok', message: 'no stage to compute runs the model (train and evaluate are cache hits or not planned)' };
  const verdicts = await Promise.all([...new Set(devices)].map((device) => verdict(device, probe)));
  const failed = verdicts.filter((v) => v.failed);
  return { name, outcome: failed.length > 0 ? 'failed' : 'ok', message: (failed.length > 0 ? failed : verdicts).map((v) => v.message).join('; ') };
}

interface Verdict {
  failed: boolean;
  message: string;
}

async function verdict(device: Device, probe: ProviderProbe): Promise<Verdict> {
  const field = `runtime.device: '${device}'`;
  let identity: SessionIdentity;
  try {
    identity = await probe(device);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { failed: true, message: `${field} — onnxruntime-node cannot create a session on this host (${reason}); reinstall its binary: ${REINSTALL_COMMAND}` };
  }
  if (device === 'cuda' && identity.provider !== 'cuda') {
    return {
      failed: true,
      message:
        `${field} — the CUDA execution provider cannot be loaded on this host (onnxruntime-node offers: ${identity.provider}): ${identity.fallbackReason ?? 'unknown reason'}; ` +
        `install it, or set runtime.device to 'cpu' (or 'auto', which uses CUDA only where it loads)`,
    };
  }
  const note = device === 'auto' && identity.fallbackReason !== null ? ` (${identity.fallbackReason})` : '';
  return { failed: false, message: `${field} runs on ${identity.provider} here${note}` };
}
