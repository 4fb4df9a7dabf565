import { benchEval } from '/work/main/bench/eval.ts';
const rows = await benchEval(process.argv[2] as any);
for (const r of rows) console.log(r.name, r.value, r.unit);
