/**
 * The embedding gradient (Gather's) at training size, in float32, on 2 threads: every repeated
 * index must receive every one of its rows. onnxruntime's ScatterND with add reduction, the
 * obvious kernel for it, loses concurrent adds to one row when it runs on several threads
 * (errors of ~0.5 here); the one-hot product the rule uses instead is exact to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { gradients } from '../../src/onnx/autodiff';
import { GraphBuilder } from '../../src/onnx/graph-builder';
import { createSession } from '../../src/onnx/session';
import { Rng } from '../../src/random/rng';

const VOCAB = 500;
const WIDTH = 128;
const POSITIONS = 4096;

describe('Gather gradient (token embedding)', () => {
  it('sums every row of a repeated index on 2 threads, run after run', async () => {
    const rng = Rng.derive(3, 'gather-gradient');
    // Few distinct tokens, so every one repeats ~40 times across the whole batch.
    const tokens = Int32Array.from({ length: POSITIONS }, () => rng.int(100));
    const upstream = Float32Array.from({ length: POSITIONS * WIDTH }, () => rng.float() - 0.5);
    const b = new GraphBuilder('float32');
    const table = b.input('table', [VOCAB, WIDTH]);
    const weights = b.input('upstream', [POSITIONS, WIDTH]);
    const rows = b.gather(table, b.constant([POSITIONS], tokens, 'int32'));
    const loss = b.reduce('ReduceSum', b.mul(rows, weights), [0, 1], false);
    b.output('grad', gradients(b, loss, [table])[0]);
    const { session } = await createSession(b.toBytes(), { device: 'cpu', threads: 2 });

    const expected = new Float64Array(VOCAB * WIDTH);
    tokens.forEach((t, i) => {
      for (let j = 0; j < WIDTH; j++) expected[t * WIDTH + j] += upstream[i * WIDTH + j];
    });
    const feeds = {
      table: new ort.Tensor('float32', new Float32Array(VOCAB * WIDTH), [VOCAB, WIDTH]),
      upstream: new ort.Tensor('float32', upstream, [POSITIONS, WIDTH]),
    };
    for (let run = 0; run < 5; run++) {
      const grad = (await session.run(feeds)).grad.data as Float32Array;
      let worst = 0;
      grad.forEach((g, k) => (worst = Math.max(worst, Math.abs(g - expected[k]))));
      expect(worst).toBeLessThan(1e-4);
    }
    await session.release();
  });
});
