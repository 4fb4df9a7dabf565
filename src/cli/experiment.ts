/**
 * `npm run experiment -- <config.json> [--until S] [--force S]... [--force-all] [--dry-run] [--verbose] [--skip-preflight]`:
 * runs the experiment in this process. Re-running the same config resumes it. Pre-flight
 * checks (disk, memory, writable folders) run before any stage unless `--skip-preflight`;
 * every finished run is appended to the run ledger (`results/ledger.csv`).
 */
import { join } from 'node:path';
import type { AnalysisSection } from '../analysis/analysis-schema';
import { experimentId } from '../config/hash';
import { ExitCode, exitCodeFor, ResourceError } from '../errors';
import { preflightFailure, renderPreflight, runPreflight } from '../ops/preflight';
import { recordFinishedRun } from '../ops/record-run';
import { runExperiment, type RunOutcome } from '../pipeline/local-runner';
import { FingerprintCache, planExperiment } from '../pipeline/plan';
import { formatDuration, progressSinkFor, type ProgressSink } from '../pipeline/progress';
import { helpRequested, parseRunArgs, runHelp } from './args';
import { interruptOnSignals } from './interrupt';
import { isMainModule } from './is-main';
import { runCli } from './main';
import { renderPlan } from './render-plan';
import { displayPath, headerLines, openSession, PROJECT_ROOT } from './setup';

export async function experimentCommand(argv: readonly string[]): Promise<number> {
  if (helpRequested(argv)) {
    process.stdout.write(runHelp('experiment'));
    return ExitCode.success;
  }
  const args = parseRunArgs(argv);
  const session = await openSession(args.configPath);
  const { config, warnings, store, resultsRoot } = session;
  const sink = progressSinkFor(process.stdout, args.verbose);
  headerLines(config, warnings).forEach((line) => sink.line(line));
  const { STAGE_IMPLEMENTATIONS } = await import('../stages/index');
  if (args.dryRun) {
    const plans = await planExperiment(config, store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT), args);
    renderPlan(plans, store, join(resultsRoot, experimentId(config))).forEach((line) => sink.line(line));
    sink.line('[dry-run] nothing was computed or written.');
    return ExitCode.success;
  }
  if (!args.skipPreflight) {
    // The run verifies every hit by sha256; the estimates need only hit or miss.
    const plans = await planExperiment(config, store, STAGE_IMPLEMENTATIONS, new FingerprintCache(PROJECT_ROOT), { ...args, verifyHits: false });
    const report = await runPreflight({ config, plans, store, resultsRoot });
    // Details only with --verbose unless something is wrong: a passing check is not news.
    const show = report.ok ? (line: string) => sink.debug(line) : (line: string) => sink.line(line);
    renderPreflight(report).forEach(show);
    if (!report.ok) throw new ResourceError(preflightFailure(report));
    sink.line(`Pre-flight: ${report.checks.filter((c) => c.outcome === 'ok').length} checks ok (--verbose shows them)`);
  }
  const interrupt = interruptOnSignals({
    onInterrupt: (signal) => sink.line(`${signal} received: stopping the current stage cleanly (press again to exit at once)...`),
    onForcedExit: (signal) => sink.line(`${signal} again: exiting immediately.`),
  });
  const started = performance.now();
  try {
    const outcome = await runExperiment({
      ...args,
      config,
      projectRoot: PROJECT_ROOT,
      store,
      resultsRoot,
      implementations: STAGE_IMPLEMENTATIONS,
      sink,
      signal: interrupt.signal,
    });
    printSummary(sink, outcome, (performance.now() - started) / 1000);
    const ledgerWarning = await recordFinishedRun(resultsRoot, outcome.result);
    if (ledgerWarning !== null) sink.line(`Warning: ${ledgerWarning}`);
    return outcome.error === null ? ExitCode.success : exitCodeFor(outcome.error);
  } finally {
    interrupt.stop();
  }
}

function printSummary(sink: ProgressSink, outcome: RunOutcome, seconds: number): void {
  const stages = outcome.result.stages;
  const reused = stages.filter((s) => s.status === 'reused').length;
  const computed = stages.filter((s) => s.status === 'computed').length;
  sink.line('');
  sink.line(`Experiment ${outcome.experimentId}: ${outcome.status.toUpperCase()} in ${formatDuration(seconds)}`);
  sink.line(`  stages: ${computed} computed, ${reused} reused from the cache`);
  const gate = gateLine(stages.find((s) => s.name === 'train')?.summary ?? null);
  if (gate !== null) sink.line(`  gate:   ${gate}`);
  const analysis = analysisLine(outcome.result.analysis);
  if (analysis !== null) sink.line(`  analysis: ${analysis}`);
  if (outcome.error !== null) {
    sink.line(`  failed stage: ${outcome.error.stage ?? '(none)'} — ${outcome.error.code}: ${outcome.error.message}`);
  }
  sink.line(`  results: ${displayPath(outcome.resultDir)}/`);
  sink.line(`  result:  ${displayPath(join(outcome.resultDir, 'result.json'))}`);
  const report = outcome.result.outputs['report.html'];
  if (report !== undefined) sink.line(`  report:  ${displayPath(report)}`);
  if (outcome.status === 'interrupted') sink.line('  re-run the same command to resume.');
}

/** The best primary metric with its horizon and the Holm outcome, or null before the analysis. */
function analysisLine(analysis: AnalysisSection | null): string | null {
  if (analysis === null) return null;
  const best = analysis.ranking.find((entry) => entry.is_primary);
  const holm = `Holm ${analysis.holm.family.filter((entry) => entry.reject).length}/${analysis.holm.family_size} rejected`;
  if (best === undefined || best.best_max_auroc === null) return `${analysis.events.kept} kept events, no primary metric could be tested; ${holm}`;
  return `${analysis.events.kept} kept events; best primary ${best.metric} max AUROC ${best.best_max_auroc.toFixed(3)} (r = ${best.best_r}), horizon ${best.horizon_at_best}; ${holm}`;
}

/** `PASSED at step 1500: edge 1.000, rule 0.980 (r <= w: 1.000, r > w: 0.786)`, or null before training. */
function gateLine(summary: Record<string, unknown> | null): string | null {
  if (summary === null || typeof summary.gate_passed !== 'boolean') return null;
  const value = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : 'n/a');
  const within = (summary.rule_compliance_within_context as { compliance?: unknown } | undefined)?.compliance;
  const beyond = (summary.rule_compliance_beyond_context as { compliance?: unknown } | undefined)?.compliance;
  const verdict = summary.gate_passed ? 'PASSED' : 'NOT PASSED';
  return `${verdict} at step ${String(summary.steps)}: edge ${value(summary.final_edge_compliance)}, rule ${value(summary.final_rule_compliance)} (r <= w: ${value(within)}, r > w: ${value(beyond)})`;
}

if (isMainModule(import.meta.url)) runCli(() => experimentCommand(process.argv.slice(2)));
