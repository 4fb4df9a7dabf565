import { describe, expect, it } from 'vitest';
import { SubsetSums } from '../../../src/analysis/permutation/subset-sums';
import { Rng } from '../../../src/random/rng';

describe('SubsetSums', () => {
  it('sums the weight rows of each subset exactly in int32', async () => {
    const rng = Rng.derive(12, 'subset-sums');
    const shape = { nEvents: 3001, columns: 7, batch: 5 };
    const weights = Int8Array.from({ length: shape.nEvents * shape.columns }, () => rng.int(128));
    const subsets = Uint8Array.from({ length: shape.batch * shape.nEvents }, () => rng.int(2));
    subsets.fill(0, 0, shape.nEvents); // an empty subset
    subsets.fill(1, shape.nEvents, 2 * shape.nEvents); // every event
    const kernel = await SubsetSums.create(shape, weights, 1);
    try {
      const sums = await kernel.run(subsets);
      const expected = new Int32Array(shape.batch * shape.columns);
      for (let p = 0; p < shape.batch; p++) {
        for (let e = 0; e < shape.nEvents; e++) {
          if (subsets[p * shape.nEvents + e] === 0) continue;
          for (let c = 0; c < shape.columns; c++) expected[p * shape.columns + c] += weights[e * shape.columns + c];
        }
      }
      expect(Array.from(sums)).toEqual(Array.from(expected));
    } finally {
      await kernel.release();
    }
  });

  it('BAD CALL - rejects a weight table of the wrong length', async () => {
    await expect(SubsetSums.create({ nEvents: 4, columns: 3, batch: 2 }, new Int8Array(11), 1)).rejects.toThrow(/weights has 11 entries, expected nEvents·columns = 12/);
  });

  it('BAD CALL - rejects a batch of the wrong size', async () => {
    const kernel = await SubsetSums.create({ nEvents: 4, columns: 3, batch: 2 }, new Int8Array(12), 1);
    try {
      await expect(kernel.run(new Uint8Array(7))).rejects.toThrow(/subsets has 7 entries, expected 8/);
    } finally {
      await kernel.release();
    }
  });
});
