/**
 * Which execution provider a requested device resolves to on this host, found by creating a
 * one-node session (cached per device for the life of the process). Cache keys of stages whose
 * bytes depend on the provider use this, so a CUDA artifact is never reused as a CPU one.
 */
import { GraphBuilder } from './graph-builder';
import { createSession, type Device, type SessionIdentity } from './session';

const probes = new Map<Device, Promise<SessionIdentity>>();

function probeModel(): Uint8Array {
  const builder = new GraphBuilder('float32', 'provider-probe');
  builder.output('y', builder.unary('Identity', builder.input('x', [1])));
  return builder.toBytes();
}

/** The provider `device` resolves to here, with the fallback reason when CUDA was not usable. */
export function probeExecutionProvider(device: Device): Promise<SessionIdentity> {
  let probe = probes.get(device);
  if (probe === undefined) {
    probe = createSession(probeModel(), { device, threads: 1 }).then(async ({ session, identity }) => {
      await session.release();
      return identity;
    });
    probes.set(device, probe);
  }
  return probe;
}
