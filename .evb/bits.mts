import { Extractor } from '../src/evaluation/extraction/extractor.ts';
import { initialParameters, parameterSpecs } from '../src/model/parameters.ts';
const [d, L, w, n] = process.argv.slice(2).map(Number);
const dims = { vocab: n, context: w, dModel: d, layers: L, heads: 1 };
const weights = initialParameters(dims, 1);
for (const spec of parameterSpecs(dims)) if (spec.std > 0) weights.get(spec.name)!.forEach((v, i, a) => (a[i] = 10 * v));
const ctx = Int32Array.from({ length: 3 * w }, (_, i) => (i * 7 + 3) % n);
let ref: any = null;
for (const rows of [64, 33, 32, 16, 8, 4, 3, 2, 1]) {
  const ex = await Extractor.create(weights, dims, rows, { device: 'cpu', threads: 1 });
  const c = rows >= 3 ? ctx : ctx.subarray(0, rows * w);
  const out = await ex.run(c);
  const k = rows >= 3 ? 3 : rows;
  const flat = (o: any) => [o.logits.subarray(0, k * n), ...o.qkt.map((q: Float32Array) => q.subarray(0, q.length / (o.logits.length / n) * k)), ...o.avwo.map((q: Float32Array) => q.subarray(0, q.length / (o.logits.length / n) * k))];
  const f = flat(out);
  if (ref === null) ref = f; else {
    let diff = 0; f.forEach((a: Float32Array, i: number) => { for (let j = 0; j < a.length; j++) if (!Object.is(a[j], ref[i][j])) diff++; });
    console.log(`rows ${rows}: ${diff} differing values`);
  }
  await ex.release();
}
