import { ThinSvd } from '../src/evaluation/svd/thin-svd.ts';
import { computeMetrics, saveLeftVectors } from '../src/evaluation/svd/metrics.ts';
for (const [m, n, t] of [[16, 16, 'qkt'], [16, 64, 'avwo'], [64, 64, 'qkt'], [64, 128, 'avwo'], [8, 8, 'qkt'], [8, 32, 'avwo']] as const) {
  const svd = new ThinSvd(m, n);
  const B = 64; const a = new Float64Array(B * m * n).map((_, i) => Math.sin(i * 1.7) + ((i % n) > ((i / n | 0) % m) && t === 'qkt' ? -Math.sin(i * 1.7) : 0));
  const out = new Float64Array(9); const prev = new Float64Array(2 * m);
  let best = Infinity;
  for (let r = 0; r < 30; r++) { const s = performance.now(); for (let b = 0; b < B; b++) { const res = svd.compute(a, b * m * n); computeMetrics(res, { target: t, previousLeft: prev }, out); saveLeftVectors(res, prev); } best = Math.min(best, (performance.now() - s) / B * 1000); }
  console.log(`${m}x${n}: ${best.toFixed(1)} us`);
}
