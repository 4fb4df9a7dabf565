// Runs the evaluate stage of tree ROOT on a fixed fixture and writes outputs to OUT.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
const root = process.env.ROOT!;
const out = process.env.OUT!;
const [cfgName, promptsArg, svdArg, batchArg, onnxArg, roundsArg, lanesArg] = process.argv.slice(2);
const imp = (p: string) => import(join(root, p));
const { writeIntMatrix } = await imp('src/artifacts/parquet.ts');
const { loadConfigFile } = await imp('src/config/load.ts');
const { generateGraph } = await imp('src/graph/dcsbm.ts');
const { designateJumpers, jumperReachSteps } = await imp('src/graph/jumpers.ts');
const { buildReachability } = await imp('src/graph/reachability.ts');
const { modelDims } = await imp('src/model/model-dims.ts');
const { initialParameters, parameterSpecs } = await imp('src/model/parameters.ts');
const { Rng } = await imp('src/random/rng.ts');
const { createEvaluateStage } = await imp('src/stages/evaluate.ts');
const { writeGraphFiles } = await imp('src/stages/graph-artifact.ts');
const { MODEL_WEIGHTS_FILE, writeModelWeights } = await imp('src/stages/model-weights-artifact.ts');
const { config } = loadConfigFile(join('/work/main/configs', cfgName + '.json'));
const w = config.training.w;
const dir = join(out, 'in');
for (const s of ['graph', 'walks', 'train']) await mkdir(join(dir, s), { recursive: true });
const { graph } = generateGraph(config.graph, config.seed);
const reach = buildReachability(graph, jumperReachSteps(config.graph, w));
const { jumpers } = designateJumpers(graph, config.graph, w, config.seed, reach);
await writeGraphFiles(graph, jumpers, (name: string) => join(dir, 'graph', name));
const N = Number(promptsArg);
const rng = Rng.derive(config.seed, 'bench-eval', 'prompts');
const prompts = Int32Array.from({ length: N }, () => rng.int(graph.n));
const walks = Int32Array.from({ length: 2 * N }, (_, i) => prompts[i >> 1]);
await writeIntMatrix(join(dir, 'walks', 'walks_eval.parquet'), { idColumn: 'walk', listColumn: 'tokens' }, { values: walks, rows: N, width: 2 });
const dims = modelDims(config.model, { vocab: graph.n, context: w });
const weights = initialParameters(dims, config.seed);
for (const spec of parameterSpecs(dims)) if (spec.std > 0) weights.get(spec.name)!.forEach((v: number, i: number, a: Float32Array) => (a[i] = 10 * v));
await writeModelWeights(join(dir, 'train', MODEL_WEIGHTS_FILE), weights);
const graphSummary = { n: graph.n, K: graph.K, block_size: graph.blockSize, attempt: graph.attempt };
const slice = { model: config.model, training: { w }, evaluation: { protocol: config.evaluation.protocol, temperature: config.evaluation.temperature }, analysis: { split_seed: config.analysis.split_seed }, runtime: { device: 'cpu' }, seed: config.seed };
const o = join(out, 'out');
await mkdir(o, { recursive: true });
const ctx = {
  slice, experimentId: 'x', threads: 2,
  input: (name: string) => ({ manifest: { key: 'f'.repeat(64), summary: name === 'graph' ? graphSummary : {} }, file: (f: string) => join(dir, name, f) }),
  output: (name: string) => join(o, name),
  progress: () => undefined, signal: new AbortController().signal, log: () => undefined,
  checkpoint: { load: async () => null, save: async () => undefined },
};
let summary: any;
for (let r = 0; r < Number(roundsArg ?? 1); r++) {
const t = performance.now();
const cpu = process.cpuUsage();
const profile: any = {};
summary = await createEvaluateStage({ svdThreads: Number(svdArg), batchRows: Number(batchArg), onnxThreads: onnxArg === undefined ? undefined : Number(onnxArg), lanes: lanesArg === undefined ? undefined : Number(lanesArg), profile }).run(ctx);
const sec = (performance.now() - t) / 1000;
const u = process.cpuUsage(cpu);
console.log(`svd ${svdArg} onnx ${onnxArg} lanes ${lanesArg} batch ${batchArg}: ${sec.toFixed(2)} s, ${(summary.n_token_rows / sec).toFixed(0)} seq-step/s, cores ${((u.user + u.system) / 1e6 / sec).toFixed(2)}`, JSON.stringify(profile, (k, v) => typeof v === 'number' ? Math.round(v * 100) / 100 : v));
}
delete summary.seconds;
await writeFile(join(out, 'summary.json'), JSON.stringify(summary, null, 1));
