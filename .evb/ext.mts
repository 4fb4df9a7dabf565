import { Extractor } from '/work/main/src/evaluation/extraction/extractor.ts';
import { initialParameters } from '/work/main/src/model/parameters.ts';
import { buildInferenceGraph } from '/work/main/src/model/inference-graph.ts';
import { createSession } from '/work/main/src/onnx/session.ts';
import * as ort from '/work/main/node_modules/onnxruntime-node/dist/index.js';
const [d, L, w, n, threads] = process.argv.slice(2).map(Number);
const dims = { vocab: n, context: w, dModel: d, layers: L, heads: 1 };
const weights = initialParameters(dims, 1);
for (const rows of [64, 128, 256]) {
  const ex = await Extractor.create(weights, dims, rows, { device: 'cpu', threads });
  const ctx = Int32Array.from({ length: rows * w }, (_, i) => (i * 7) % n);
  for (let i = 0; i < 5; i++) await ex.run(ctx);
  let t = performance.now(); const R = 30;
  for (let i = 0; i < R; i++) await ex.run(ctx);
  const per = (performance.now() - t) / R;
  const { session } = await createSession(buildInferenceGraph(dims, rows, weights).toBytes(), { device: 'cpu', threads });
  const feeds = { tokens: new ort.Tensor('int32', ctx, [rows, w]), lengths: new ort.Tensor('int32', new Int32Array(rows).fill(w), [rows]) };
  const names = session.inputNames;
  const f: any = { [names[0]]: feeds.tokens, [names[1]]: feeds.lengths };
  for (let i = 0; i < 5; i++) await session.run(f);
  t = performance.now();
  for (let i = 0; i < R; i++) await session.run(f);
  const per2 = (performance.now() - t) / R;
  console.log(`rows ${rows}: extractor ${per.toFixed(2)} ms (${(rows / per * 1000).toFixed(0)} seq-step/s), inference ${per2.toFixed(2)} ms (${(rows / per2 * 1000).toFixed(0)} seq-step/s)`);
  await ex.release(); await session.release();
}
