/**
 * Worker threads whose entry is a TypeScript module, under `npx tsx` and vitest alike.
 * `execArgv: ['--import', 'tsx']` does NOT work: on Node 20 tsx registers its loader hooks only
 * on the main thread, so the worker fails with ERR_UNKNOWN_FILE_EXTENSION (privatenumber/tsx#354).
 * The worker therefore starts from a tiny inline bootstrap that calls tsx's `register()` and
 * then imports the entry. Used by the walk generator and the training loop.
 */
import { Worker } from 'node:worker_threads';

/** The bootstrap source for `entry`; tsx's API is resolved here, so the working directory does not matter. */
export function typeScriptWorkerBootstrap(entry: URL): string {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** Starts a worker thread running the TypeScript module `entry` with `workerData`. */
export function startTypeScriptWorker(entry: URL, workerData: unknown): Worker {
  return new Worker(typeScriptWorkerBootstrap(entry), { eval: true, workerData });
}
