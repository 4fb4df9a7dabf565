import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/graph-builder';
import { createSession, onnxruntimeVersion } from '../../src/onnx/session';

const require = createRequire(import.meta.url);
const cudaInstalled = existsSync(
  join(dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so'),
);

function tinyModel(): Uint8Array {
  const b = new GraphBuilder('float32');
  const x = b.input('x', [2, 2]);
  b.output('y', b.add(b.matmul(x, x), 1));
  return b.toBytes();
}

describe('createSession', () => {
  it('runs a built model on the CPU without a fallback reason', async () => {
    const { session, identity } = await createSession(tinyModel(), { device: 'cpu', threads: 1 });
    expect(identity).toEqual({ provider: 'cpu', fallbackReason: null, threads: 1 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([8, 11, 16, 23]);
  });

  it.skipIf(cudaInstalled)('EXPECTED FAILURE - a cuda request without CUDA libraries falls back to cpu with the reason', async () => {
    const { identity } = await createSession(tinyModel(), { device: 'cuda', threads: 2 });
    expect(identity.provider).toBe('cpu');
    expect(identity.fallbackReason).toMatch(/^CUDA execution provider unavailable: /);
    expect(identity.threads).toBe(2);
  });

  it('BAD CALL - threads must be a positive integer', async () => {
    await expect(createSession(tinyModel(), { device: 'cpu', threads: 0 })).rejects.toThrow(/threads must be a positive integer, got 0/);
  });

  it('reports the onnxruntime version', () => {
    expect(onnxruntimeVersion()).toMatch(/^1\.30\./);
  });
});
