import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import type { Manifest } from '../../src/artifacts/artifact-store';
import { decodeModelWeights, encodeModelWeights, MODEL_WEIGHTS_FILE, readModelWeights, writeModelWeights } from '../../src/stages/model-weights-artifact';

const WEIGHTS = new Map<string, Float32Array>([
  ['token_embedding.weight', Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5)],
  ['blocks.0.ln1.bias', Float32Array.of(Number.NaN, -0, 3.25e-30)],
  ['empty', new Float32Array(0)],
]);

describe('the model weights file', () => {
  it('round-trips names, order and every bit of the float32 data, with the shapes in the header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weights-'));
    try {
      await writeModelWeights(join(dir, MODEL_WEIGHTS_FILE), WEIGHTS, (name) => (name === 'token_embedding.weight' ? [3, 4] : undefined));
      const artifact = { manifest: {} as Manifest, file: (name: string) => join(dir, name) };
      const read = await readModelWeights(artifact);
      expect([...read.keys()]).toEqual([...WEIGHTS.keys()]);
      for (const [name, data] of WEIGHTS) expect(new Uint8Array(read.get(name)!.buffer)).toEqual(new Uint8Array(data.buffer));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const bytes = encodeModelWeights(WEIGHTS, (name) => (name === 'token_embedding.weight' ? [3, 4] : undefined));
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    expect((12 + headerLength) % 4).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
    expect(header.tensors.map((t: { shape: number[] }) => t.shape)).toEqual([[3, 4], [3], [0]]);
  });

  it('rejects a shape that does not fit and files that are not weights files', async () => {
    expect(() => encodeModelWeights(WEIGHTS, () => [5])).toThrow(RangeError);
    expect(() => decodeModelWeights(new TextEncoder().encode('not weights at all'))).toThrow(InputError);
    const truncated = encodeModelWeights(WEIGHTS).subarray(0, 60);
    expect(() => decodeModelWeights(truncated)).toThrow(InputError);
    const dir = await mkdtemp(join(tmpdir(), 'weights-'));
    try {
      await writeFile(join(dir, MODEL_WEIGHTS_FILE), 'GTWTS001xxxx');
      await expect(readModelWeights({ manifest: {} as Manifest, file: (name) => join(dir, name) })).rejects.toThrow(InputError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
