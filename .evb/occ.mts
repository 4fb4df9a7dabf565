import { readParquet, columnData } from '../src/artifacts/parquet.ts';
for (const [f, B] of [['/tmp/cmp/new/out/sequences.parquet', 64], ['/tmp/cmp/anew/out/sequences.parquet', 16]] as const) {
  const t = await readParquet(f);
  const L = columnData(t, 'length', 'int32');
  let useful = 0, run = 0; const hist = new Map<number, number>();
  for (let b = 0; b < L.length; b += B) { const ls = Array.from(L.subarray(b, b + B)); const mx = Math.max(...ls); run += B * (mx - 1); useful += ls.reduce((a, l) => a + l - 1, 0); }
  for (const l of L) hist.set(l, (hist.get(l) ?? 0) + 1);
  console.log(f, 'occupancy', (useful / run).toFixed(3), 'lengths', [...hist].sort((a, b) => a[0] - b[0]).map(([l, c]) => `${l}:${c}`).join(' '));
}
